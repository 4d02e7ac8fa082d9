"""The evaluation report: the contract's figures as text (or JSON for a .json report file)."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from evals.scoring import is_correct


@dataclass
class EvalReport:
    dataset: str
    figures: dict
    results: list[dict] = field(default_factory=list)
    run_id: int | None = None

    def failures(self) -> list[dict]:
        return [r for r in self.results if not is_correct(r["item"], r["response"])]

    def text(self) -> str:
        f = self.figures
        lines = [f"evaluation of {self.dataset}: {f['items']} items, {f['errors']} errors",
                 f"accuracy              {_pct(f['accuracy'])}  ({f['correct']}/{f['items']})",
                 f"  answerable          {_pct(f['answerable_accuracy'])}",
                 f"  unanswerable        {_pct(f['unanswerable_accuracy'])}",
                 "retrieval             " + "  ".join(f"{k} {_pct(f[k])}" for k in ("hit@1", "hit@3", "hit@5"))
                 + f"  MRR {_num(f['mrr'])}",
                 f"citation precision    {_pct(f['citation_precision'])}",
                 f"disclosure recall     {_pct(f['disclosure_recall'])}",
                 f"latency               p50 {_num(f['latency_p50_ms'])} ms  p95 {_num(f['latency_p95_ms'])} ms",
                 "", "per category:"]
        lines += [f"  {k:<22}{_pct(v['accuracy'])}  (n={v['items']})" for k, v in f["per_category"].items()]
        lines += ["", "per tag:"]
        lines += [f"  {k:<22}{_pct(v['accuracy'])}  (n={v['items']})" for k, v in f["per_tag"].items()]
        return "\n".join(lines)

    def failure_text(self) -> str:
        lines = []
        for r in self.failures():
            answer = (r["response"] or {}).get("answer", {})
            cited = ",".join(c["doc_id"] for c in answer.get("citations", []))
            lines.append(f"{r['item']['id']}\t{r['item']['question']}\texpected "
                         f"{r['item'].get('expected_doc_ids')} {r['item'].get('key_facts')}\tgot "
                         f"{answer.get('status')} [{cited}] {answer.get('text', r.get('error'))}")
        return "\n".join(lines)

    def write(self, path: Path) -> None:
        if path.suffix == ".json":
            path.write_text(json.dumps(self.figures, ensure_ascii=False, indent=2), encoding="utf-8")
        else:
            path.write_text(self.text() + "\n\nfailures:\n" + self.failure_text() + "\n", encoding="utf-8")


def _pct(value) -> str:
    return "  n/a" if value is None else f"{value * 100:5.1f}%"


def _num(value) -> str:
    return "n/a" if value is None else f"{value:.3f}" if value < 10 else f"{value:.1f}"
