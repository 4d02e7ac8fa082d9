"""Scaling out, for real: one Chroma server, one PostgreSQL and three `kb serve` processes on free
127.0.0.1 ports. A publish through one process is answered by the others within the sync interval;
a call's follow-up lands on another process than its first question and still knows the product;
a live call's events reach a panel that follows the call on a third process; a process killed
mid-call loses no call and no event (the panel resumes on another process from the last event)."""

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import httpx
import pytest

from tests.kb.test_chroma_server import chroma_server  # noqa: F401  (a fixture: one `chroma run`)

SYNC_SECONDS = 0.5


def start(kbtest, root: Path, chroma_url: str, database_url: str, name: str) -> tuple[subprocess.Popen, str]:
    port = kbtest.free_port()
    env = {**os.environ, "KB_CHROMA_URL": chroma_url, "KB_DATABASE_URL": database_url,
           "KB_SYNC_SECONDS": str(SYNC_SECONDS), "KB_STORE": str(root / name)}
    log = (root / f"{name}.log").open("wb")
    process = subprocess.Popen([str(Path(sys.executable).parent / "kb"), "serve", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{name} exited: {(root / f'{name}.log').read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(url + "/ready", timeout=2) as response:
                if response.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{name} was not ready within 180 s")


@pytest.fixture(scope="module")
def cluster(chroma_server, postgres_server, tmp_path_factory, kbtest):  # noqa: F811
    root = tmp_path_factory.mktemp("cluster")
    database_url = f"{postgres_server}/postgres"
    knowledge = kbtest.make_kb(root / "ingest", chroma_url=chroma_server["url"], database_url=database_url)
    assert knowledge.ingest(kbtest.write_corpus(root / "corpus")).ok
    processes = [start(kbtest, root, chroma_server["url"], database_url, f"kb-{i}") for i in range(3)]
    try:
        yield [url for _, url in processes], [p for p, _ in processes], knowledge
    finally:
        for process, _ in processes:
            process.terminate()
        for process, _ in processes:
            process.wait(timeout=60)


def test_a_publish_through_one_process_is_answered_by_the_others(cluster, kbtest):
    urls, _, knowledge = cluster
    fee_v3 = {"file": ("fee.md", kbtest.FEE_V3.encode(), "text/markdown")}
    assert httpx.post(urls[0] + "/api/documents", files=fee_v3, timeout=60).status_code in (200, 201)
    started = time.monotonic()
    for url in urls[1:]:
        while "3元" not in _answer(url, "柜面跨行转账手续费多少"):
            assert time.monotonic() - started < 10 * SYNC_SECONDS + 5, f"{url} did not follow the publish"
            time.sleep(0.1)
    print(f"answered everywhere {time.monotonic() - started:.2f} s after the publish")


def test_a_follow_up_on_another_process_still_knows_the_product(cluster):
    urls, _, _ = cluster
    first = httpx.post(urls[0] + "/assist", json={"query": "星辰金卡年费多少", "session_id": "call-x"}, timeout=30).json()
    follow = httpx.post(urls[1] + "/assist", json={"query": "取现手续费呢", "session_id": "call-x"}, timeout=30).json()
    assert first["context"]["product"] == "星辰金卡"
    assert follow["context"] == {"product": "星辰金卡", "carried": True, "turn": 2}


def test_live_call_events_reach_a_panel_on_another_process_and_survive_a_killed_one(cluster):
    """Last in the module: it kills a process."""
    urls, processes, _ = cluster
    call = f"live-{time.monotonic_ns()}"
    panel = Panel(urls[2], call)
    panel.follow()
    _utterance(urls[0], call, "customer", "星辰金卡的年费是多少")
    panel.wait_for(1)
    assert "300元" in panel.cards[0]
    # The process the panel follows dies; the panel resumes on another one, from its last event.
    processes[2].send_signal(signal.SIGKILL)
    processes[2].wait(timeout=30)
    _utterance(urls[1], call, "agent", "星辰金卡主卡年费是五百块一年")
    resumed = Panel(urls[0], call, last_event=panel.last_id)
    resumed.follow()
    resumed.wait_for(1)
    assert "不符" in resumed.cards[0] and "500元" in resumed.cards[0]  # the event heard while it was down
    assert len(panel.cards) == 1
    assert httpx.post(urls[1] + f"/calls/{call}/end", timeout=30).json()["findings"][0]["kind"] == "wrong_figure"


def _answer(url: str, question: str) -> str:
    return httpx.post(url + "/assist", json={"query": question}, timeout=30).json()["answer"]["text"]


def _utterance(url: str, call: str, speaker: str, text: str) -> None:
    body = {"speaker": speaker, "text": text, "at": dt.datetime.now(dt.UTC).isoformat(), "agent": "agent01"}
    assert httpx.post(f"{url}/calls/{call}/utterances", json=body, timeout=30).status_code == 201


class Panel:
    """A panel following a call over server-sent events, in a thread: its cards and last event id."""

    def __init__(self, url: str, call: str, last_event: str | None = None):
        self.url, self.call, self.headers = url, call, ({"Last-Event-ID": last_event} if last_event else {})
        self.cards: list[str] = []
        self.last_id: str | None = None
        self.ready = threading.Event()

    def follow(self) -> None:
        threading.Thread(target=self._read, daemon=True).start()
        assert self.ready.wait(30)

    def _read(self) -> None:
        try:
            with httpx.stream("GET", f"{self.url}/ui/calls/{self.call}/stream", headers=self.headers,
                              timeout=httpx.Timeout(5, read=None)) as stream:
                self.ready.set()
                name, data = "", []
                for line in stream.iter_lines():
                    if line.startswith("id: "):
                        self.last_id = line[4:]
                    elif line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: "):
                        data.append(line[6:])
                    elif not line and name:
                        if name == "card":
                            self.cards.append("\n".join(data))
                        name, data = "", []
        except httpx.HTTPError:
            self.ready.set()  # the process died: the test resumes elsewhere

    def wait_for(self, cards: int, seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while len(self.cards) < cards:
            assert time.monotonic() < deadline, f"{len(self.cards)} of {cards} cards within {seconds} s"
            time.sleep(0.05)
