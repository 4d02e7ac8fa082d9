"""Ingest of the demo corpus into a fresh store, then a re-ingest with no change (which must embed
nothing). Run: python -m evals.bench_ingest"""

import tempfile
import time
from pathlib import Path

from kb.config import get_settings
from kb.knowledge_base import KnowledgeBase

DEMO_CORPUS = Path(__file__).parent / "demo_bank" / "corpus"


def main() -> None:
    with tempfile.TemporaryDirectory() as store:
        kb = KnowledgeBase(get_settings(store=Path(store)))
        started = time.perf_counter()
        kb.embedder.component  # model load, reported apart from the ingest itself
        print(f"embedding model load          {time.perf_counter() - started:6.1f} s")
        for label in ("ingest from scratch", "re-ingest, no change"):
            report = kb.ingest(DEMO_CORPUS)
            print(f"{label:<30}{report.seconds:6.1f} s   {report.summary()}")


if __name__ == "__main__":
    main()
