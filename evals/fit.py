"""Fit the ranking and answering models on the evaluation banks, report every fitted piece
leave-one-bank-out, and write kb/fitted.json.

For each bank in turn, everything is fitted on all the other banks (the fusion weights of
retrieval, the unit model, the selection bar, the answerability model and its threshold), and the
left-out bank is then answered through the product's own path (`evals.runner.run_evaluation`) with what
was fitted without it. Banks listed in evals/banks/sealed.txt were never read: only their totals
are printed. Last, everything is fitted on all banks and written, with the banks, the code version,
the vocabulary's hash and the leave-one-bank-out figures.

Run: python -m evals.fit [--stores DIR] [--out kb/fitted.json] [--only NAME ...] [--banks NAME ...]
"""

import argparse
import datetime as dt
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from evals.banks import Bank, banks, sealed
from evals.fitting import collect, fit_all
from evals.provenance import code_version
from evals.runner import run_evaluation
from ingest.indexer import ingest_into
from kb.config import get_settings
from kb.knowledge_base import KnowledgeBase
from kb.vocab import vocabulary_hash

ROOT = Path(__file__).resolve().parent.parent


def open_bank(bank: Bank, stores: Path) -> KnowledgeBase:
    kb = KnowledgeBase(get_settings(store=stores / bank.name))
    report = ingest_into(kb, bank.corpus)
    if not report.ok:
        raise SystemExit(f"{bank.name}: the corpus does not ingest clean: {report.summary()}")
    return kb


def evaluate_with(kb: KnowledgeBase, bank: Bank, fitted) -> dict:
    """The bank's figures through the product's path, answered with `fitted`."""
    kb.__dict__["fitted"] = fitted
    kb._index = None
    return run_evaluation(kb, bank.questions).figures


def provenance(chosen: list[Bank], lobo: dict[str, dict]) -> dict:
    return {"fitted_at": dt.datetime.now().isoformat(timespec="seconds"), "code": code_version(),
            "vocabulary_sha256": vocabulary_hash(), "banks": [b.name for b in chosen],
            "sealed": sorted(sealed()),
            "leave_one_bank_out": {name: {k: round(f[k], 4) for k in SUMMARY if f.get(k) is not None}
                                   for name, f in lobo.items()}}


SUMMARY = ("items", "accuracy", "answerable_refused", "unanswerable_answered", "disclosure_recall",
           "answer_chars_p50")


def line(name: str, f: dict, sealed_bank: bool) -> str:
    mark = "*" if sealed_bank else " "
    return (f"{name + mark:<11} {f['items']:>5} {f['accuracy']:>9.3f} {f['answerable_accuracy']:>11.3f} "
            f"{f['unanswerable_accuracy']:>13.3f} {f['hit@1']:>6.3f} {f['disclosure_recall']:>10.3f} "
            f"{f['answer_chars_p50']:>9.0f} {f['latency_p50_ms']:>7.1f} {f['latency_p95_ms']:>7.1f}")


HEADER = (f"{'set':<11} {'items':>5} {'accuracy':>9} {'answerable':>11} {'unanswerable':>13} "
          f"{'hit@1':>6} {'disc.rec.':>10} {'chars p50':>9} {'p50 ms':>7} {'p95 ms':>7}")


def pooled(figures: list[dict]) -> dict:
    items = sum(f["items"] for f in figures)
    return {"items": items, "accuracy": sum(f["correct"] for f in figures) / items}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stores", type=Path, help="keep the banks' stores here (default: a temporary folder)")
    parser.add_argument("--out", type=Path, default=ROOT / "kb" / "fitted.json")
    parser.add_argument("--only", nargs="*", help="leave out only these banks (the rest are still fitted on)")
    parser.add_argument("--banks", nargs="*", help="fit on these banks only (to compare with an earlier set)")
    parser.add_argument("--no-lobo", action="store_true",
                        help="skip leave-one-bank-out: only fit on all banks and write (development)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        run(args, args.stores or Path(temporary))


def run(args, stores: Path) -> None:
    chosen = [b for b in banks() if not args.banks or b.name in args.banks]
    started = time.perf_counter()
    kbs = {b.name: open_bank(b, stores) for b in chosen}
    data = {b.name: collect(kbs[b.name], b) for b in chosen}
    print(f"collected {sum(len(d.items) for d in data.values())} items of {len(chosen)} banks "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    print(HEADER)
    lobo, closed = {}, set(sealed())
    for bank in chosen:
        if args.no_lobo or (args.only and bank.name not in args.only):
            continue
        fitted = fit_all({n: d for n, d in data.items() if n != bank.name})
        lobo[bank.name] = evaluate_with(kbs[bank.name], bank, fitted)
        print(line(bank.name, lobo[bank.name], bank.name in closed), flush=True)
    summarize(lobo, closed)
    if not args.only:
        fitted = fit_all(data)
        fitted = replace(fitted, provenance=provenance(chosen, lobo))
        args.out.write_text(fitted.to_json() + "\n", encoding="utf-8")
        print(f"wrote {args.out}")


def summarize(lobo: dict[str, dict], closed: set[str]) -> None:
    never = [f for n, f in lobo.items() if n in closed]
    read = [f for n, f in lobo.items() if n not in closed]
    for label, group in (("never read (*)", never), ("read", read), ("all", list(lobo.values()))):
        if group:
            p = pooled(group)
            print(f"{label:<15} {p['items']:>5} items, pooled accuracy {p['accuracy']:.3f}, "
                  f"worst bank {min(f['accuracy'] for f in group):.3f}")


if __name__ == "__main__":
    main()
