"""Every evaluation set of the repository, each on its own knowledge base: the demo bank and the
banks of evals/banks/, which were written against the contract by writers who never saw this
system. Each corpus is ingested into a fresh store, its set answered and scored with the shipped
kb/fitted.json (fitted on all of them: for figures on banks left out of the fitting, run
`python -m evals.fit`); one line of figures per set, then the whole. Run: python -m evals.banks [NAME ...]
"""

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from evals.runner import run_evaluation
from ingest.indexer import ingest_into
from kb.config import get_settings
from kb.knowledge_base import KnowledgeBase

EVALS = Path(__file__).parent


@dataclass(frozen=True)
class Bank:
    name: str
    corpus: Path
    questions: Path


def sealed() -> set[str]:
    """Banks never read: their failures are never looked at, only their totals printed."""
    listed = (EVALS / "banks" / "sealed.txt").read_text(encoding="utf-8").splitlines()
    return {name.strip() for name in listed if name.strip() and not name.startswith("#")}


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
    report = ingest_into(kb, bank.corpus)
    if not report.ok:
        raise SystemExit(f"{bank.name}: the corpus does not ingest clean: {report.summary()}")
    return run_evaluation(kb, bank.questions).figures


def line(name: str, f: dict) -> str:
    """One set's totals (never its items: a sealed bank's failures are not to be read)."""
    return (f"{name:<11} {f['items']:>5} {f['accuracy']:>9.3f} {f['answerable_refused']:>8.3f} "
            f"{f['unanswerable_answered']:>9.3f} {f['hit@1']:>6.3f} {f['hit@3']:>6.3f} "
            f"{f['citation_precision']:>10.3f} {f['disclosure_recall']:>10.3f} "
            f"{f['answer_chars_p50'] or 0:>6.0f} {f['latency_p50_ms']:>7.1f} {f['latency_p95_ms']:>7.1f}")


HEADER = (f"{'set':<11} {'items':>5} {'accuracy':>9} {'refused':>8} {'answered':>9} "
          f"{'hit@1':>6} {'hit@3':>6} {'cit.prec.':>10} {'disc.rec.':>10} {'chars':>6} {'p50 ms':>7} {'p95 ms':>7}\n"
          f"{'':<11} {'':>5} {'':>9} {'(answerable)':>8} {'(unanswerable)':>9}")


def main(names: list[str]) -> None:
    chosen = [b for b in banks() if not names or b.name in names]
    closed = sealed()
    print(HEADER)
    totals: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as root:
        for bank in chosen:
            figures = evaluate(bank, Path(root) / bank.name)
            for group in ("all", "never read" if bank.name in closed else "read"):
                counts = totals.setdefault(group, [0, 0])
                counts[0], counts[1] = counts[0] + figures["items"], counts[1] + figures["correct"]
            print(line(bank.name + ("*" if bank.name in closed else ""), figures), flush=True)
    for group, (items, correct) in totals.items():
        print(f"{group:<11} {items:>5} {correct / items:>9.3f}")
    print("* never read: only totals are ever printed (evals/banks/sealed.txt)")


if __name__ == "__main__":
    main(sys.argv[1:])
