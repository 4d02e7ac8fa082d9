"""Every evaluation set of the repository, each on its own knowledge base: the demo bank and the
banks of evals/banks/, which were written against the contract by writers who never saw this
system. Each corpus is ingested into a fresh store, its set answered and scored; one line of
figures per set, then the whole. Run: python -m evals.banks [NAME ...]
"""

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kb.config import get_settings
from kb.knowledge_base import KnowledgeBase

EVALS = Path(__file__).parent


@dataclass(frozen=True)
class Bank:
    name: str
    corpus: Path
    questions: Path


def banks() -> list[Bank]:
    """The demo bank first, then evals/banks/* by name."""
    found = [Bank("demo_bank", EVALS / "demo_bank" / "corpus", EVALS / "demo_bank" / "questions.jsonl")]
    for folder in sorted((EVALS / "banks").iterdir()):
        if (folder / "questions.jsonl").is_file():
            found.append(Bank(folder.name, folder / "corpus", folder / "questions.jsonl"))
    return found


def evaluate(bank: Bank, store: Path) -> dict:
    """The contract's figures of one bank's set on a fresh store of its corpus (not recorded)."""
    kb = KnowledgeBase(get_settings(store=store))
    report = kb.ingest(bank.corpus)
    if not report.ok:
        raise SystemExit(f"{bank.name}: the corpus does not ingest clean: {report.summary()}")
    return kb.evaluate(bank.questions, record=False).figures


def line(name: str, f: dict) -> str:
    return (f"{name:<10} {f['items']:>5} {f['accuracy']:>9.3f} {f['answerable_accuracy']:>11.3f} "
            f"{f['unanswerable_accuracy']:>13.3f} {f['hit@1']:>6.3f} {f['citation_precision']:>10.3f} "
            f"{f['disclosure_recall']:>10.3f} {f['latency_p50_ms']:>7.1f} {f['latency_p95_ms']:>7.1f}")


HEADER = (f"{'set':<10} {'items':>5} {'accuracy':>9} {'answerable':>11} {'unanswerable':>13} "
          f"{'hit@1':>6} {'cit.prec.':>10} {'disc.rec.':>10} {'p50 ms':>7} {'p95 ms':>7}")


def main(names: list[str]) -> None:
    chosen = [b for b in banks() if not names or b.name in names]
    print(HEADER)
    items = correct = 0
    with tempfile.TemporaryDirectory() as root:
        for bank in chosen:
            figures = evaluate(bank, Path(root) / bank.name)
            items, correct = items + figures["items"], correct + figures["correct"]
            print(line(bank.name, figures), flush=True)
    print(f"{'all':<10} {items:>5} {correct / items:>9.3f}")


if __name__ == "__main__":
    main(sys.argv[1:])
