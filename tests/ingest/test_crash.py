"""Crash safety of ingest: a `kb ingest` process killed with SIGKILL in the middle of its writes
leaves a store that the next start opens cleanly, with every document whole in either its old or
its new state, and the next ingest completes it.

The store holds state A of a generated corpus; every document is then rewritten to state B (same
doc_ids and versions, other bodies and section counts). A real `kb ingest` subprocess writes B and
is killed at several moments of its write phase, each time on a fresh copy of the A store. The
moment is chosen by watching the store file itself: the text of each written chunk lands in
chroma.sqlite3, so the number of distinct B documents whose text is there says how far the writes
have got, whatever the speed of the machine (no hook in the process under test).
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from ingest.indexer import doc_nodes
from ingest.reader import read_file
from kb.models import CATEGORIES

N_DOCS = 36
STATES = ("A", "B")
# (B documents whose chunk text must be in the store file, then seconds to wait) before the kill
KILL_PLAN = [(1, 0.0), (N_DOCS // 3, 0.013), (2 * N_DOCS // 3, 0.041)]
GROUP_CHUNKS = 8  # KB_WRITE_GROUP_CHUNKS of the killed ingest: a few documents to a group
TOKEN = re.compile(r"〔状态([AB])-(\d{3})〕")
B_TOKEN_BYTES = re.compile("〔状态B-(\\d{3})〕".encode())


def token(state: str, n: int) -> str:
    return f"〔状态{state}-{n:03d}〕"


def doc_text(state: str, n: int) -> str:
    """Document n in one state: 2-4 sections (B has another count than A), every line carrying
    the state's token."""
    sections = 2 + (n + (state == "B")) % 3
    lines = ["---", f"doc_id: crash-doc-{n:03d}", f"title: 测试文档{n:03d}",
             f"category: {CATEGORIES[n % len(CATEGORIES)]}", "version: 1", "---", "",
             f"# 测试文档{n:03d}", ""]
    for s in range(1, sections + 1):
        lines += [f"## 第{s}节 规定{s}", "",
                  f"- {token(state, n)}第{s}节：办理第{n:03d}号业务须核对{token(state, n)}的条款。",
                  f"- {token(state, n)}办理时限为{s + n % 5}个工作日。", ""]
    return "\n".join(lines)


def rel_path(n: int) -> str:
    return f"{CATEGORIES[n % len(CATEGORIES)]}/crash-doc-{n:03d}.md"


def key(n: int) -> str:
    return f"crash-doc-{n:03d}@v1"


def write_state(root: Path, state: str) -> Path:
    for n in range(N_DOCS):
        path = root / rel_path(n)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc_text(state, n), encoding="utf-8")
    return root


def kb_command() -> list[str]:
    script = Path(sys.executable).parent / "kb"
    if script.exists():
        return [str(script)]
    found = shutil.which("kb")
    return [found] if found else [sys.executable, "-c", "from cli import app; app()"]


class StoreFileWatch:
    """How many distinct B documents have chunk text in the store's database files (read as plain
    bytes: no lock is taken, the writer is not disturbed), re-read only when a file changed: the
    watcher must not take CPU from the embedding of the process it watches."""

    def __init__(self, store: Path):
        self.paths = [store / "chroma.sqlite3", store / "chroma.sqlite3-wal"]
        self.stamps, self.found = {}, {}

    def b_docs(self) -> int:
        for path in self.paths:
            try:
                stat = path.stat()
                if (stat.st_size, stat.st_mtime_ns) != self.stamps.get(path):
                    self.stamps[path] = (stat.st_size, stat.st_mtime_ns)
                    self.found[path] = set(B_TOKEN_BYTES.findall(path.read_bytes()))
            except FileNotFoundError:
                pass
        return len(set().union(*self.found.values()))


def ingest_killed(source: Path, store: Path, log: Path, after_docs: int, delay: float) -> dict:
    """Run `kb --store STORE ingest SOURCE` and SIGKILL it once `after_docs` B documents are in
    the store file, plus `delay` seconds. Returns what happened."""
    started = time.monotonic()
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "KB_WRITE_GROUP_CHUNKS": str(GROUP_CHUNKS)}
    with log.open("wb") as out:
        process = subprocess.Popen([*kb_command(), "--store", str(store), "ingest", str(source)],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
        try:
            watch, seen, kill_at = StoreFileWatch(store), 0, None
            while process.poll() is None:
                seen = watch.b_docs()
                if seen >= after_docs:
                    kill_at = time.monotonic() - started + delay
                    time.sleep(delay)
                    os.kill(process.pid, signal.SIGKILL)
                    break
                assert time.monotonic() - started < 180, "kb ingest neither wrote nor ended"
                time.sleep(0.005)
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    output = log.read_text(encoding="utf-8", errors="replace")
    killed = process.returncode == -signal.SIGKILL
    assert killed or process.returncode == 0, f"kb ingest failed ({process.returncode}):\n{output}"
    return {"killed": killed, "b_docs_seen": seen, "kill_at_s": kill_at,
            "process_s": time.monotonic() - started}


@pytest.fixture(scope="module")
def expected(tmp_path_factory) -> dict:
    """Per state: the source folder, and per document key its content hash and chunk texts as the
    project's own pipeline makes them (no embedding involved)."""
    root = tmp_path_factory.mktemp("crash-corpus")
    out = {}
    for state in STATES:
        folder = write_state(root / state, state)
        docs = {}
        for n in range(N_DOCS):
            doc = read_file(folder / rel_path(n), rel_path(n))
            assert doc.meta.key == key(n)
            docs[key(n)] = (doc.content_hash, [node.text for node in doc_nodes(doc)])
        out[state] = {"folder": folder, "docs": docs}
    # the test can tell the states apart: other hashes, and for each document other chunk counts
    for k in out["A"]["docs"]:
        (hash_a, chunks_a), (hash_b, chunks_b) = out["A"]["docs"][k], out["B"]["docs"][k]
        assert hash_a != hash_b and len(chunks_a) != len(chunks_b), k
    return out


def write_groups(expected: dict) -> list[set[str]]:
    """The B documents in the groups an ingest writes them in: in file order, as many as fit in
    GROUP_CHUNKS chunks (a document alone when it holds more)."""
    groups: list[set[str]] = [set()]
    rows = 0
    for n in sorted(range(N_DOCS), key=rel_path):
        count = len(expected["B"]["docs"][key(n)][1])
        if groups[-1] and rows + count > GROUP_CHUNKS:
            groups.append(set())
            rows = 0
        groups[-1].add(key(n))
        rows += count
    return groups


def committed_states(kb, expected: dict) -> dict[str, str]:
    """doc key -> 'A' or 'B', after checking that every document record has exactly the committed
    chunks of that one state: ids key:hash12#0..n-1, texts and count of that state's pipeline."""
    records = {d.meta.key: d for d in kb.store.document_records()}
    assert sorted(records) == sorted(key(n) for n in range(N_DOCS))
    committed = kb.store.chunk_records()
    vectors = kb.store.chunk_vectors([c.id for c in committed])
    assert vectors.ndim == 2 and vectors.shape[0] == len(committed) and vectors.shape[1] > 0
    assert np.isfinite(vectors).all() and (np.linalg.norm(vectors, axis=1) > 0).all()
    chunks: dict[str, list] = {}
    for chunk in committed:
        chunks.setdefault(chunk.meta["doc_key"], []).append(chunk)
    assert set(chunks) <= set(records), "committed chunks of no document record"
    states = {}
    for k, record in records.items():
        state = next((s for s in STATES if expected[s]["docs"][k][0] == record.content_hash), None)
        assert state is not None, f"{k}: its record's hash is of neither state"
        states[k] = state
        assert set(TOKEN.findall(record.body)) == {(state, k[10:13])}, (k, state, record.body)
        want_hash, want_texts = expected[state]["docs"][k]
        got = sorted(chunks.get(k, []), key=lambda c: c.number)
        assert [c.number for c in got] == list(range(len(want_texts))), (k, [c.id for c in got])
        assert [c.meta["chunk"] for c in got] == list(range(len(want_texts))), k
        assert [c.id for c in got] == [f"{k}:{want_hash[:12]}#{i}" for i in range(len(want_texts))]
        assert all(c.meta["content_hash"] == want_hash for c in got), k
        assert [c.text for c in got] == want_texts, f"{k}: chunk texts are not all of state {state}"
        for c in got:
            assert set(TOKEN.findall(c.text)) == {(state, k[10:13])}, (k, c.id, c.text)
    return states


def uncommitted_chunks(kb, expected: dict) -> list[tuple[str, str]]:
    """(doc key, state) of each chunk in the raw collection that no document record commits;
    each must be a chunk of one of the two states, under its expected id."""
    committed = {c.id for c in kb.store.chunk_records()}
    raw = kb.store.chunks().get(include=["metadatas"])
    out = []
    for chunk_id, meta in zip(raw["ids"], raw["metadatas"]):
        if chunk_id in committed:
            continue
        k = meta["doc_key"]
        state = next((s for s in STATES if expected[s]["docs"][k][0] == meta["content_hash"]), None)
        assert state is not None, (chunk_id, meta)
        want_hash, want_texts = expected[state]["docs"][k]
        assert chunk_id in {f"{k}:{want_hash[:12]}#{i}" for i in range(len(want_texts))}, chunk_id
        out.append((k, state))
    return out


def check_answers(kb, states: dict[str, str], n: int) -> None:
    """A question about document n is answered from it, in the state it has committed, and
    nothing quoted is of a state that its document has not committed."""
    response = kb.ask(f"测试文档{n:03d}第1节办理第{n:03d}号业务须核对什么条款")
    answer = response.answer
    assert answer.status == "answered" and answer.citations, answer
    assert answer.citations[0].doc_id == f"crash-doc-{n:03d}", answer
    assert set(TOKEN.findall(answer.text)) == {(states[key(n)], f"{n:03d}")}, (states[key(n)], answer)
    for citation in answer.citations:
        for state, number in TOKEN.findall(citation.quote):
            assert states[f"crash-doc-{number}@v1"] == state, (citation, states)


def test_ingest_killed_mid_write_leaves_each_document_whole(expected, tmp_path, kb_factory):
    began = time.monotonic()
    source_a, source_b = expected["A"]["folder"], expected["B"]["folder"]
    total_b = sum(len(texts) for _, texts in expected["B"]["docs"].values())

    live = kb_factory(tmp_path / "store-a")
    report = live.ingest(source_a)
    assert report.ok and len(report.added) == N_DOCS, [str(p) for p in report.problems]
    assert set(committed_states(live, expected).values()) == {"A"}
    timings = {"state_a_ingest_s": time.monotonic() - began}

    runs = []
    for i, (after_docs, delay) in enumerate(KILL_PLAN):
        store = tmp_path / f"store-{i}"
        shutil.copytree(tmp_path / "store-a", store)
        # the live state is B; the process writing B into this copy of the live store is killed
        run = ingest_killed(source_b, store, tmp_path / f"ingest-{i}.log", after_docs, delay)

        # the next start: a fresh knowledge base on the store opens it cleanly, both states
        # possible, each document whole in one of them
        opened_at = time.monotonic()
        kb = kb_factory(store)
        states = committed_states(kb, expected)
        run["B"] = sorted(k for k, s in states.items() if s == "B")
        run["raw"], run["committed"] = kb.store.chunks().count(), len(kb.store.chunk_records())
        leftovers = uncommitted_chunks(kb, expected)
        assert run["raw"] == run["committed"] + len(leftovers)
        run["leftovers"] = sorted(set(leftovers))
        # documents are written a group at a time: only the group being written when the process
        # died leaves any (its new chunks before its records, or its old ones after)
        assert any({k for k, _ in leftovers} <= group for group in write_groups(expected)), leftovers
        # questions about the documents on either side of the kill: the last one written and
        # the first one still old (whose new chunks may be in the store, uncommitted)
        in_write_order = sorted(range(N_DOCS), key=rel_path)
        last_b = [n for n in in_write_order if states[key(n)] == "B"][-1:]
        first_a = [n for n in in_write_order if states[key(n)] == "A"][:1]
        for n in last_b + first_a:
            check_answers(kb, states, n)
        run["reopen_check_s"] = time.monotonic() - opened_at

        # the next ingest completes B: only what was still A is embedded again, leftovers go
        again = kb.ingest(source_b)
        assert again.ok, [str(p) for p in again.problems]
        still_a = sorted(k for k, s in states.items() if s == "A")
        assert sorted(again.updated) == still_a
        assert sorted(again.unchanged) == run["B"]
        assert again.added == again.removed == []
        assert again.chunks_embedded == sum(len(expected["B"]["docs"][k][1]) for k in still_a)
        assert set(committed_states(kb, expected).values()) == {"B"}
        assert kb.store.chunks().count() == len(kb.store.chunk_records()) == total_b, \
            "uncommitted leftover chunks remain after a complete ingest"
        check_answers(kb, {key(n): "B" for n in range(N_DOCS)}, i)
        run["iteration_s"] = time.monotonic() - opened_at + run["process_s"]
        runs.append(run)

    summary = [{k: v if k != "B" else len(v) for k, v in r.items()} for r in runs]
    timings["total_s"] = time.monotonic() - began
    print(f"\n{timings}\n" + "\n".join(map(str, summary)))
    # at least one kill landed in the middle of the writes: some documents B, some still A
    assert any(0 < len(r["B"]) < N_DOCS for r in runs), summary
