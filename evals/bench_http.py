"""HTTP /assist under load: `kb serve` started on a free port, then concurrent clients send the
questions of a set, each waiting for its answer before the next. With --think-ms each client
pauses between questions (exponentially distributed around that mean, starts staggered), as
agents do while they talk; with 0 they send back to back (saturation). Prints p50/p95 latency
seen by the clients, throughput and errors.

Run: python -m evals.bench_http --store .kb [--clients 16] [--workers 1] [--think-ms 0]
"""

import argparse
import asyncio
import json
import random
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

DEMO_QUESTIONS = Path(__file__).parent / "demo_bank" / "questions.jsonl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(store: Path, port: int, workers: int) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "kb"), "serve", "--store", str(store),
               "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_ready(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit(f"server at {url} did not start")


async def client(url: str, questions: list[str], start: int, until: float, think: float,
                 latencies: list[float], errors: list[str]) -> None:
    pause = random.Random(start)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        if think:
            await asyncio.sleep(pause.uniform(0, think))
        n = start
        while time.perf_counter() < until:
            question = questions[n % len(questions)]
            n += 1
            started = time.perf_counter()
            try:
                response = await http.post("/assist", json={"query": question})
                if response.status_code != 200:
                    errors.append(f"{response.status_code}: {question}")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__}: {question}")
            latencies.append((time.perf_counter() - started) * 1000)
            if think:
                await asyncio.sleep(pause.expovariate(1 / think))


async def load(url: str, questions: list[str], clients: int, seconds: float, think: float):
    latencies: list[float] = []
    errors: list[str] = []
    until = time.perf_counter() + seconds
    step = max(1, len(questions) // clients)
    await asyncio.gather(*(client(url, questions, i * step, until, think, latencies, errors)
                           for i in range(clients)))
    return latencies, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=Path(".kb"))
    parser.add_argument("--questions", type=Path, default=DEMO_QUESTIONS)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think-ms", type=float, default=0, help="Pause of each client between questions.")
    parser.add_argument("--url", help="Measure a server that is already running instead.")
    args = parser.parse_args()
    questions = [json.loads(line)["question"] for line in args.questions.read_text("utf-8").splitlines() if line.strip()]
    server = None
    url = args.url
    if url is None:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start_server(args.store, port, args.workers)
    try:
        wait_ready(url)
        asyncio.run(load(url, questions, args.clients, 5, args.think_ms / 1000))  # warm every worker
        latencies, errors = asyncio.run(load(url, questions, args.clients, args.seconds, args.think_ms / 1000))
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    values = np.array(latencies)
    print(f"HTTP POST /assist: {args.clients} clients, {args.workers} worker(s), think {args.think_ms:g} ms, "
          f"{args.seconds:g} s, {len(questions)} distinct questions")
    print(f"  requests {len(values)}  errors {len(errors)}  throughput {len(values) / args.seconds:.1f}/s")
    print(f"  latency p50 {np.percentile(values, 50):.1f} ms  p95 {np.percentile(values, 95):.1f} ms  "
          f"max {values.max():.1f} ms")
    for error in errors[:5]:
        print("  error:", error)


if __name__ == "__main__":
    main()
