"""Live calls at contact-centre scale on one process: `kb serve` started on a free port, N panels
each following its own call (server-sent events), and the call platform posting the recorded
calls of evals/calls/ into those N calls at once. Every event a POST reports must reach its
call's panel, and no other: prints events posted, received, lost and misdelivered, and the time
from a POST to its card in the panel (p50/p95).

Run: python -m evals.bench_calls --store .kb [--panels 200] [--utterances 8] [--rate 50]
"""

import argparse
import asyncio
import datetime as dt
import re
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path

import httpx

from evals.bench_http import free_port, wait_ready
from evals.call_review import transcripts
from evals.scoring import percentile
from kb.calls.transcript import read_transcript

CALLS = Path(__file__).parent / "calls"
UTTERANCE = re.compile(r'data-utterance="(\d+)"')


class Panel:
    """One agent's panel: the events of its call, each with when it arrived."""

    def __init__(self, call_id: str):
        self.call_id = call_id
        self.arrived: list[tuple[str, int | None, float]] = []  # (event name, utterance, time)
        self.open = asyncio.Event()

    async def follow(self, client: httpx.AsyncClient) -> None:
        async with client.stream("GET", f"/ui/calls/{self.call_id}/stream") as stream:
            self.open.set()
            name, data = "", []
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif not line and name:
                    found = UTTERANCE.search("".join(data))
                    self.arrived.append((name, int(found.group(1)) if found else None, time.perf_counter()))
                    if name == "ended":
                        return
                    name, data = "", []


async def post_call(client, panel: Panel, utterances, interval: float, start: float, posted: dict) -> None:
    """The recorded call's utterances into this panel's call, `interval` apart from `start` s on
    (calls are staggered, as calls are: the load is even, not bursts of every call at once)."""
    await asyncio.sleep(start)
    for said in utterances:
        started = time.perf_counter()
        body = {"speaker": said.speaker, "text": said.text, "at": dt.datetime.now(dt.UTC).isoformat(), "agent": "bench"}
        response = await client.post(f"/calls/{panel.call_id}/utterances", json=body)
        response.raise_for_status()
        heard = response.json()
        cards = sum(e["kind"] != "checklist" for e in heard["events"])
        checklists = len(heard["events"]) - cards
        posted[panel.call_id].append((heard["utterance"], cards, checklists, started))
        await asyncio.sleep(interval)
    (await client.post(f"/calls/{panel.call_id}/end")).raise_for_status()


async def run(url: str, panels: int, utterances: int, rate: float) -> dict:
    calls = [read_transcript(p).utterances[:utterances] for p in transcripts(CALLS)]
    limits = httpx.Limits(max_connections=panels * 2 + 50, max_keepalive_connections=panels * 2 + 50)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        followers = [Panel(f"bench-{uuid.uuid4().hex[:10]}") for _ in range(panels)]
        tasks = [asyncio.create_task(p.follow(client)) for p in followers]
        await asyncio.wait_for(asyncio.gather(*(p.open.wait() for p in followers)), 60)
        posted: dict[str, list] = defaultdict(list)
        interval = panels / rate  # each call posts every `interval` s: `rate` utterances per second in all
        started = time.perf_counter()
        await asyncio.gather(*(post_call(client, p, calls[i % len(calls)], interval, i / rate, posted)
                               for i, p in enumerate(followers)))
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
        elapsed = time.perf_counter() - started
    return tally(followers, posted, elapsed)


def tally(followers: list[Panel], posted: dict, elapsed: float) -> dict:
    """Events each POST reported against those its call's panel received, utterance by utterance."""
    expected = received = lost = stray = 0
    delays = []
    for panel in followers:
        sent = {number: (cards, checklists, at) for number, cards, checklists, at in posted[panel.call_id]}
        arrived = [(name, u, t) for name, u, t in panel.arrived if name in ("card", "checklist")]
        expected += sum(c + k for c, k, _ in sent.values())
        received += len(arrived)
        for number, (cards, _, at) in sent.items():
            got = [t for name, u, t in arrived if name == "card" and u == number]
            lost += max(0, cards - len(got))
            delays += [(t - at) * 1000 for t in got]
        lost += max(0, sum(k for _, k, _ in sent.values()) - sum(n == "checklist" for n, _, _ in arrived))
        stray += sum(1 for name, u, _ in arrived if name == "card" and u not in sent)
    return {"panels": len(followers), "utterances": sum(len(v) for v in posted.values()),
            "seconds": round(elapsed, 1), "events_posted": expected, "events_received": received,
            "events_lost": lost, "events_misdelivered": stray,
            "post_to_panel_p50_ms": round(percentile(delays, 50), 1) if delays else None,
            "post_to_panel_p95_ms": round(percentile(delays, 95), 1) if delays else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path(".kb"))
    parser.add_argument("--panels", type=int, default=200)
    parser.add_argument("--utterances", type=int, default=8, help="utterances of each recorded call posted")
    parser.add_argument("--rate", type=float, default=20.0, help="utterances posted per second, all calls together")
    args = parser.parse_args()
    port = free_port()
    log = args.store / f"bench-calls-{port}.log"
    with log.open("wb") as output:  # the server's output, kept: a failed run says why
        server = subprocess.Popen([str(Path(sys.executable).parent / "kb"), "--store", str(args.store), "serve",
                                   "--port", str(port)], stdout=output, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_ready(url)
        figures = asyncio.run(run(url, args.panels, args.utterances, args.rate))
    finally:
        server.terminate()
        server.wait(timeout=30)
    for key, value in figures.items():
        print(f"{key:<22} {value}")


if __name__ == "__main__":
    main()
