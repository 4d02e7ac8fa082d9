"""Ingest of the demo corpus into a fresh store, with the embedding cache cold (nothing embedded
before: a new machine) and then warm (a rebuild of the store), then a re-ingest with no change,
which must embed nothing. Run: python -m evals.bench_ingest"""

import tempfile
import time
from pathlib import Path

from ingest.indexer import ingest_into
from kb.config import get_settings
from kb.knowledge_base import KnowledgeBase

DEMO_CORPUS = Path(__file__).parent / "demo_bank" / "corpus"


def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        cold = Path(root) / "cache"
        for label, store in (("ingest, cache cold", "a"), ("ingest, cache warm", "b")):
            kb = KnowledgeBase(get_settings(store=Path(root) / store, cache_dir=cold))
            started = time.perf_counter()
            _ = kb.embedder.component  # model load (and, the first time, the folder's build)
            print(f"{'embedding model load':<30}{time.perf_counter() - started:6.1f} s")
            report = ingest_into(kb, DEMO_CORPUS)
            print(f"{label:<30}{report.seconds:6.1f} s   {report.summary()}")
        report = ingest_into(kb, DEMO_CORPUS)
        print(f"{'re-ingest, no change':<30}{report.seconds:6.1f} s   {report.summary()}")


if __name__ == "__main__":
    main()
