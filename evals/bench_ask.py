"""In-process `ask` latency on a store: every question of a set, after warm-up; prints p50/p95
and where the time goes (retrieval vs answering). Run: python -m evals.bench_ask --store .kb"""

import argparse
import datetime as dt
import json
import time
from pathlib import Path

import numpy as np

from evals.scoring import percentile
from kb.config import get_settings
from kb.knowledge_base import KnowledgeBase

DEMO_QUESTIONS = Path(__file__).parent / "demo_bank" / "questions.jsonl"


def timed(function, questions: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        for question in questions:
            started = time.perf_counter()
            function(question)
            times.append((time.perf_counter() - started) * 1000)
    return times


def measure(kb: KnowledgeBase, questions: list[str], rounds: int) -> dict[str, list[float]]:
    """Whole `ask` first (question embeddings not cached yet), then its parts on their own."""
    day = dt.date.today()
    return {
        "ask": timed(kb.ask, questions, rounds),
        "retrieve": timed(lambda q: kb.retriever.search(q, day), questions, rounds),
        "dense": timed(kb.embedder.query_uncached, questions, rounds),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", type=Path, default=Path(".kb"))
    parser.add_argument("--questions", type=Path, default=DEMO_QUESTIONS)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    kb = KnowledgeBase(get_settings(store=args.store))
    questions = [json.loads(l)["question"] for l in args.questions.read_text("utf-8").splitlines() if l.strip()]
    kb.warm_up()
    kb.embedder.forget_questions()  # every question is new to the process, as on a live call
    times = measure(kb, questions, args.rounds)
    print(f"kb ask, in process, {len(times['ask'])} questions after warm-up ({args.store})")
    labels = {"ask": "ask (whole)", "retrieve": "retrieval (question embedding cached)",
              "dense": "question embedding alone"}
    for key, label in labels.items():
        values = np.array(times[key])
        print(f"  {label:<32} p50 {percentile(values, 50):6.1f} ms   p95 {percentile(values, 95):6.1f} ms")


if __name__ == "__main__":
    main()
