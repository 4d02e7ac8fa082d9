"""The same knowledge base against a REAL Chroma server (`chroma run`) instead of the embedded store.

The server is a separate process on a free 127.0.0.1 port, started once for this module and
stopped in teardown; the answers must be those of embedded mode (the session's `ingested_kb`).
"""

import datetime as dt
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from kb.default_model import folder_id

QUESTIONS = [
    ("星辰金卡年费多少", None),
    ("附属卡怎么免年费", None),
    ("金卡取现手续费多少，取现有免息期吗", None),
    ("柜面跨行转账手续费多少", None),
    ("柜面跨行转账手续费多少", dt.date(2025, 6, 1)),
    ("钻石卡年费多少", None),
    ("星辰金卡有日元币种吗", None),
]


def chroma_cli() -> str:
    here = Path(sys.executable).parent / "chroma"
    found = str(here) if here.exists() else shutil.which("chroma")
    if not found:
        pytest.fail("the chroma CLI (from the chromadb package) is not installed in this environment")
    return found


def heartbeat(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1) as r:
            return r.status == 200 and "heartbeat" in r.read().decode()
    except OSError:
        return False


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory, kbtest):
    data = tmp_path_factory.mktemp("chroma-server")
    port = kbtest.free_port()
    log = open(data / "server.log", "wb")
    proc = subprocess.Popen(
        [chroma_cli(), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not heartbeat(port):
            if proc.poll() is not None:
                pytest.fail(f"chroma run exited with {proc.returncode}: "
                            f"{(data / 'server.log').read_text(errors='replace')[-2000:]}")
            if time.monotonic() > deadline:
                pytest.fail("chroma server did not answer its heartbeat within 60 s")
            time.sleep(0.2)
        yield {"url": f"http://127.0.0.1:{port}", "path": data / "db", "proc": proc, "port": port}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def server_kb(chroma_server, shared_corpus, tmp_path_factory, kbtest):
    unused = tmp_path_factory.mktemp("no-local-store") / "store"
    kb = kbtest.make_kb(unused, chroma_url=chroma_server["url"])
    report = kb.ingest(shared_corpus)
    assert report.ok, [str(p) for p in report.problems]
    kb.report = report
    kb.unused_store = unused
    return kb


def test_server_ingest_writes_to_server_not_local_folder(server_kb, chroma_server, kbtest):
    assert server_kb.report.chunks_embedded > 0
    assert len(server_kb.report.added) == len(kbtest.BASE_FILES)
    assert not server_kb.unused_store.exists(), "server mode must not create the local store folder"
    assert chroma_server["path"].exists() and any(chroma_server["path"].iterdir())
    assert server_kb.store.model_id == folder_id()


@pytest.mark.parametrize("question, day", QUESTIONS)
def test_server_answers_like_embedded(server_kb, ingested_kb, question, day):
    over_http = server_kb.ask(question, as_of=day).contract_dict()
    embedded = ingested_kb.ask(question, as_of=day).contract_dict()
    for data in (over_http, embedded):
        data.pop("latency_ms")
    assert over_http == embedded


def test_server_answer_content(server_kb, kbtest):
    response = server_kb.ask("星辰金卡年费多少")
    assert response.answer.status == "answered"
    assert "300元" in response.answer.text
    bodies = kbtest.bodies_by_key(server_kb)
    for c in response.answer.citations:
        assert c.quote in bodies[f"{c.doc_id}@v{c.version}"]
    assert [d.doc_id for d in response.disclosures] == ["disc-x"]
    assert response.disclosures[0].text == kbtest.body_of(kbtest.DISC_X)
    old = server_kb.ask("柜面跨行转账手续费多少", as_of=kbtest.V1_DAY)
    assert "8元" in old.answer.text


def test_server_store_is_incremental_and_shared(server_kb, shared_corpus, chroma_server, kbtest,
                                                tmp_path_factory):
    count = server_kb.store.chunks().count()
    again = server_kb.ingest(shared_corpus)
    assert again.chunks_embedded == 0
    assert len(again.unchanged) == len(kbtest.BASE_FILES)
    assert server_kb.store.chunks().count() == count
    # a second client (another KnowledgeBase) sees the same data through the server
    other = kbtest.make_kb(tmp_path_factory.mktemp("x") / "store", chroma_url=chroma_server["url"])
    assert other.store.chunks().count() == count
    assert other.ask("星辰金卡年费多少").answer.citations[0].doc_id == "cc-gold"


def test_unreachable_server_is_a_kb_error(kbtest, tmp_path):
    from kb.errors import KBError

    port = kbtest.free_port()  # nothing listens there
    with pytest.raises(KBError):
        kbtest.make_kb(tmp_path / "store", chroma_url=f"http://127.0.0.1:{port}").ask("金卡年费多少")
