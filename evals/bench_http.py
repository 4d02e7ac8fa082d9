"""HTTP /assist under load: `kb serve` started on a free port, then concurrent clients send the
questions of a set, each waiting for its answer before the next. With --think-ms each client
pauses between questions (exponentially distributed around that mean, starts staggered), as
agents do while they talk; with 0 they send back to back (saturation). Prints p50/p95 latency
seen by the clients, throughput and errors.

The clients are wrk (Debian's `wrk`, a C load generator, when it is installed: it leaves the two
cores to the server) or, with --client python or without wrk, asyncio + httpx in this process.
--unique makes every question new (a counter appended), so no worker has its embedding cached.

With --rate the load is open: new questions (never seen before) arrive at that rate, Poisson, for
--seconds, whatever the answers' pace: the way a contact centre loads the service (1,000 agents who
each ask every 20 s: --rate 50).

Run: python -m evals.bench_http --store .kb [--clients 16] [--workers 2] [--think-ms 0]
     python -m evals.bench_http --store .kb --workers 3 --rate 50 --seconds 60
"""

import argparse
import asyncio
import json
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import numpy as np

from evals.scoring import percentile

DEMO_QUESTIONS = Path(__file__).parent / "demo_bank" / "questions.jsonl"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(store: Path, port: int, workers: int) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "kb"), "--store", str(store), "serve",
               "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop(server: subprocess.Popen) -> None:
    """SIGTERM (requests in flight finish), then SIGKILL if it has not stopped within a minute."""
    server.terminate()
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=30)


def wait_ready(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit(f"server at {url} did not start")


WRK_SCRIPT = """
bodies = {%s}
counter = 0
unique = %s
request = function()
  counter = counter + 1
  local body = bodies[(counter %% #bodies) + 1]
  if unique then body = body:gsub('"}$', ' ' .. counter .. '"}') end
  return wrk.format("POST", "/assist", {["Content-Type"] = "application/json"}, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%d %%d %%.3f %%.3f %%.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout, summary.duration, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency.max / 1000))
end
"""


def run_wrk(url: str, questions: list[str], clients: int, seconds: float, unique: bool) -> dict:
    bodies = ",".join("[=[" + json.dumps({"query": q}, ensure_ascii=False) + "]=]" for q in questions)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (bodies, "true" if unique else "false"))
    output = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{int(seconds)}s", "-s", script.name, url],
                            capture_output=True, text=True, check=True).stdout
    requests, errors, micros, p50, p95, worst = re.search(r"RESULT (.*)", output).group(1).split()
    return {"requests": int(requests), "errors": int(errors), "seconds": int(micros) / 1e6,
            "p50": float(p50), "p95": float(p95), "max": float(worst)}


async def ask(http: httpx.AsyncClient, question: str, latencies: list[float], errors: list[str]) -> None:
    """One question: its time kept, and what went wrong if anything did."""
    started = time.perf_counter()
    try:
        response = await http.post("/assist", json={"query": question})
        if response.status_code != 200:
            errors.append(f"{response.status_code}: {question}")
    except httpx.HTTPError as exc:
        errors.append(f"{type(exc).__name__}: {question}")
    latencies.append((time.perf_counter() - started) * 1000)


async def client(url: str, questions: list[str], start: int, until: float, think: float,
                 unique: bool, latencies: list[float], errors: list[str]) -> None:
    pause = random.Random(start)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        if think:
            await asyncio.sleep(pause.uniform(0, think))
        n = start
        while time.perf_counter() < until:
            question = questions[n % len(questions)] + (f" {start}-{n}" if unique else "")
            n += 1
            await ask(http, question, latencies, errors)
            if think:
                await asyncio.sleep(pause.expovariate(1 / think))


async def load(url: str, questions: list[str], clients: int, seconds: float, think: float,
               unique: bool):
    latencies: list[float] = []
    errors: list[str] = []
    until = time.perf_counter() + seconds
    step = max(1, len(questions) // clients)
    await asyncio.gather(*(client(url, questions, i * step, until, think, unique, latencies, errors)
                           for i in range(clients)))
    return latencies, errors


def run_python(url: str, questions: list[str], clients: int, seconds: float, think: float,
               unique: bool) -> dict:
    latencies, errors = asyncio.run(load(url, questions, clients, seconds, think, unique))
    return summary(latencies, errors, seconds)


def summary(latencies: list[float], errors: list[str], seconds: float) -> dict:
    values = np.array(latencies)
    for error in errors[:5]:
        print("  error:", error)
    return {"requests": len(values), "errors": len(errors), "seconds": seconds,
            "p50": percentile(values, 50), "p95": percentile(values, 95), "max": values.max()}


async def open_loop(url: str, questions: list[str], rate: float, seconds: float) -> tuple[list[float], list[str], float]:
    """Questions arrive at `rate` per second (Poisson arrivals, as from many agents who each ask
    now and then), whether or not earlier ones were answered; each is new (a counter appended).
    (latencies, errors, seconds taken to send them all)."""
    arrivals = random.Random(7)
    latencies: list[float] = []
    errors: list[str] = []

    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=200)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        started, due, tasks, n = time.perf_counter(), 0.0, [], 0
        while due < seconds:
            await asyncio.sleep(max(0.0, started + due - time.perf_counter()))
            tasks.append(asyncio.create_task(ask(http, f"{questions[n % len(questions)]} {n}", latencies, errors)))
            n += 1
            due += arrivals.expovariate(rate)
        sent = time.perf_counter() - started
        await asyncio.gather(*tasks)
    return latencies, errors, sent


def run_open_loop(url: str, questions: list[str], rate: float, seconds: float) -> dict:
    latencies, errors, sent = asyncio.run(open_loop(url, questions, rate, seconds))
    return summary(latencies, errors, sent)


def measure(args, url: str, questions: list[str]) -> tuple[str, dict]:
    """Warm every worker on the questions first, then measure."""
    if args.rate:
        run_python(url, questions, args.clients, args.warm_seconds, 0, False)
        return "open loop", run_open_loop(url, questions, args.rate, args.seconds)
    use_wrk = args.client == "wrk" and not args.think_ms
    if use_wrk:
        run_wrk(url, questions, args.clients, args.warm_seconds, False)
        return "wrk", run_wrk(url, questions, args.clients, args.seconds, args.unique)
    think = args.think_ms / 1000
    run_python(url, questions, args.clients, args.warm_seconds, think, False)
    return "python", run_python(url, questions, args.clients, args.seconds, think, args.unique)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=Path(".kb"))
    parser.add_argument("--questions", type=Path, default=DEMO_QUESTIONS)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--think-ms", type=float, default=0, help="Pause of each client between questions.")
    parser.add_argument("--url", help="Measure a server that is already running instead.")
    parser.add_argument("--client", choices=["wrk", "python"],
                        default="wrk" if shutil.which("wrk") else "python")
    parser.add_argument("--unique", action="store_true", help="Every question new (no cached embedding).")
    parser.add_argument("--warm-seconds", type=int, default=15)
    parser.add_argument("--rate", type=float, default=0, help="Open loop: new questions arriving at this many "
                        "per second (1,000 agents asking every 20 s: 50), whatever the answers' pace.")
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
        client_name, result = measure(args, url, questions)
    finally:
        if server is not None:
            stop(server)
    load = (f"open loop at {args.rate:g} new questions/s" if args.rate else
            f"{args.clients} clients ({client_name}), think {args.think_ms:g} ms")
    print(f"HTTP POST /assist: {load}, {args.workers} worker(s), {result['seconds']:.0f} s, "
          f"{len(questions)} distinct questions{', every one new' if args.unique or args.rate else ''}")
    print(f"  requests {result['requests']}  errors {result['errors']}  "
          f"throughput {result['requests'] / result['seconds']:.1f}/s")
    print(f"  latency p50 {result['p50']:.1f} ms  p95 {result['p95']:.1f} ms  max {result['max']:.1f} ms")


if __name__ == "__main__":
    main()
