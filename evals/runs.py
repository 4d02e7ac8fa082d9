"""Recorded evaluation runs, in the app database: every figure and every item's response and
verdict, so that runs can be listed, compared, and used as a baseline that a change must not
fall below."""

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from evals.causes import CAUSES, cause_of
from evals.report import EvalReport
from evals.scoring import is_correct
from kb.database import Base, create_tables, fetched
from kb.errors import BadRequest
from kb.privacy import mask_personal_data

# Figures where higher is better, compared against a baseline.
GATED_FIGURES = ("accuracy", "answerable_accuracy", "unanswerable_accuracy", "hit@1", "mrr",
                 "citation_precision", "disclosure_recall")


class EvalRun(Base):
    __tablename__ = "eval_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    dataset: Mapped[str] = mapped_column(Text)
    dataset_hash: Mapped[str] = mapped_column(String(64), index=True)  # same_run looks runs up by it
    snapshot_json: Mapped[str] = mapped_column(Text)
    embed_model: Mapped[str] = mapped_column(Text)
    settings_json: Mapped[str] = mapped_column(Text)
    figures_json: Mapped[str] = mapped_column(Text)


class EvalItem(Base):
    __tablename__ = "eval_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("eval_runs.id"), index=True)
    item_id: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    item_json: Mapped[str] = mapped_column(Text)
    response_json: Mapped[str | None] = mapped_column(Text, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    latency_ms: Mapped[float | None] = mapped_column(Float, nullable=True)


@dataclass
class Outcome:
    """One item of one run, as an evaluator reads it: what was asked and expected, what came."""

    item_id: str
    question: str
    expected_doc_ids: list[str]
    key_facts: list[str]
    correct: bool
    cause: str | None
    status: str
    answer: str
    cited: list[str]

    @classmethod
    def of(cls, row: "EvalItem") -> "Outcome":
        item = json.loads(row.item_json)
        response = json.loads(row.response_json) if row.response_json else None
        answer = (response or {}).get("answer", {"status": "error", "text": row.error or ""})
        return cls(row.item_id, item["question"], item.get("expected_doc_ids", []),
                   item.get("key_facts", []), row.correct, cause_of(item, response), answer["status"],
                   answer.get("text", ""), list(dict.fromkeys(c["doc_id"] for c in answer.get("citations", []))))


@dataclass
class Flip:
    item_id: str
    question: str
    was_correct: bool
    answer: str
    before: Outcome
    after: Outcome


@dataclass
class RunDiff:
    figures: dict[str, tuple]
    flips: list[Flip]


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _masked_item(item: dict) -> dict:
    """An item as a run keeps it: a question that holds personal data (one promoted from an
    agent's feedback, or written carelessly) is masked like every question the panel sees."""
    return {**item, "question": mask_personal_data(str(item.get("question", ""))).text}


class RunLog:
    def __init__(self, engine):
        self.engine = engine
        create_tables(engine, EvalRun, EvalItem)

    def record(self, report: EvalReport, dataset: Path, snapshot: list[str], embed_model: str,
               settings: dict) -> int:
        run = EvalRun(created_at=dt.datetime.now(dt.UTC), dataset=str(dataset.resolve()),
                      dataset_hash=file_hash(dataset), snapshot_json=json.dumps(snapshot),
                      embed_model=embed_model, settings_json=json.dumps(settings, default=str),
                      figures_json=json.dumps(report.figures, ensure_ascii=False))
        with Session(self.engine) as session, session.begin():
            session.add(run)
            session.flush()
            session.add_all(EvalItem(
                run_id=run.id, item_id=r["item"]["id"], correct=is_correct(r["item"], r["response"]),
                item_json=json.dumps(_masked_item(r["item"]), ensure_ascii=False),
                response_json=None if r["response"] is None else json.dumps(r["response"], ensure_ascii=False),
                error=r.get("error"), latency_ms=r.get("latency_ms")) for r in report.results)
            return run.id

    def same_run(self, dataset: Path, snapshot: list[str], embed_model: str, settings: dict) -> int | None:
        """The latest run of this very set over these very documents, model and settings, if one
        was recorded: running it again would only repeat its figures."""
        wanted = (str(dataset.resolve()), file_hash(dataset), json.dumps(snapshot), embed_model,
                  json.dumps(settings, default=str))
        for run in reversed(self.runs()):
            if (run.dataset, run.dataset_hash, run.snapshot_json, run.embed_model, run.settings_json) == wanted:
                return run.id
        return None

    def runs(self) -> list[EvalRun]:
        with Session(self.engine) as session:
            return list(session.scalars(select(EvalRun).order_by(EvalRun.id)))

    def summaries(self) -> list[dict]:
        """Every run, oldest first, with its figures: the runs page and `GET /api/evaluations`."""
        return [summary_of(run) for run in self.runs()]

    def summary(self, run_id: int) -> dict:
        return summary_of(self.run(run_id))

    def datasets(self) -> list[str]:
        """The evaluation sets earlier runs used that are still on disk: what a new run may reuse."""
        return sorted({run.dataset for run in self.runs() if Path(run.dataset).is_file()})

    def dataset_names(self) -> dict[str, str]:
        """Those sets by the name a page shows ({name: path}): the file's name, with its folder
        where two sets share one; the server's absolute paths stay on the server."""
        paths = self.datasets()
        names = [Path(p).name for p in paths]
        return {(Path(p).name if names.count(Path(p).name) == 1 else f"{Path(p).parent.name}/{Path(p).name}"): p
                for p in paths}

    def run(self, run_id: int) -> EvalRun:
        return fetched(self.engine, EvalRun, run_id, f"no evaluation run {run_id}")

    def items(self, run_id: int) -> dict[str, EvalItem]:
        self.run(run_id)
        with Session(self.engine) as session:
            found = session.scalars(select(EvalItem).where(EvalItem.run_id == run_id).order_by(EvalItem.id))
            return {i.item_id: i for i in found}

    def items_citing(self, doc_id: str) -> list[dict]:
        """The items of the latest run that expect this document, with their verdicts: what an
        editor's change to it may break."""
        run_id, items = self._latest_expecting(doc_id)
        return [{"id": item.item_id, "question": json.loads(item.item_json).get("question", ""),
                 "correct": item.correct, "run_id": run_id} for item in items]

    def correct_items_expecting(self, doc_id: str) -> tuple[int | None, list[dict]]:
        """The latest run's id and its correctly answered items that expect this document: what
        the publish gate holds a new version of it to."""
        run_id, items = self._latest_expecting(doc_id)
        return run_id, [json.loads(item.item_json) for item in items if item.correct]

    def _latest_expecting(self, doc_id: str) -> tuple[int | None, list[EvalItem]]:
        runs = self.runs()
        if not runs:
            return None, []
        return runs[-1].id, [item for item in self.items(runs[-1].id).values()
                             if doc_id in json.loads(item.item_json).get("expected_doc_ids", [])]

    def failures_by_cause(self, run_id: int) -> dict[str, list[Outcome]]:
        """The run's failed items grouped by cause, in CAUSES order, empty causes left out."""
        failed = [Outcome.of(row) for row in self.items(run_id).values() if not row.correct]
        return {cause: found for cause in CAUSES
                if (found := [o for o in failed if o.cause == cause])}

    def export(self, run_id: int, fmt: str) -> str:
        """A run's items as JSON Lines (the answers file's shape plus the verdict) or CSV."""
        rows = [_export_row(item) for item in self.items(run_id).values()]
        if fmt == "jsonl":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        if fmt != "csv":
            raise BadRequest("the export format is csv or jsonl")
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        writer.writerows({k: _cell(r, k) for k in EXPORT_COLUMNS} for r in rows)
        return out.getvalue()

    def diff(self, before: int, after: int) -> RunDiff:
        """Figures side by side, and the items whose verdict flipped from `before` to `after`."""
        figures_before = json.loads(self.run(before).figures_json)
        figures_after = json.loads(self.run(after).figures_json)
        old, new = self.items(before), self.items(after)
        flips = [Flip(item_id, json.loads(item.item_json)["question"], old[item_id].correct,
                      _answer_text(item), Outcome.of(old[item_id]), Outcome.of(item))
                 for item_id, item in new.items()
                 if item_id in old and old[item_id].correct != item.correct]
        return RunDiff({k: (figures_before.get(k), figures_after.get(k)) for k in GATED_FIGURES}, flips)

    def regressions(self, baseline: int, report: EvalReport, margin: float) -> list[str]:
        """Why `report` falls below the baseline run: a figure down by more than `margin`, or an
        item that was correct and is not."""
        base_figures = json.loads(self.run(baseline).figures_json)
        problems = [f"{k} fell from {base_figures[k]:.3f} to {report.figures[k]:.3f}"
                    for k in GATED_FIGURES
                    if base_figures.get(k) is not None and report.figures.get(k) is not None
                    and report.figures[k] < base_figures[k] - margin]
        base_items = self.items(baseline)
        problems += [f"{r['item']['id']} was correct in run {baseline} and is not now: {r['item']['question']}"
                     for r in report.results
                     if r["item"]["id"] in base_items and base_items[r["item"]["id"]].correct
                     and not is_correct(r["item"], r["response"])]
        return problems


def summary_of(run: EvalRun) -> dict:
    return {"id": run.id, "created_at": run.created_at, "dataset": run.dataset,
            "dataset_hash": run.dataset_hash, "embed_model": run.embed_model,
            "documents": len(json.loads(run.snapshot_json)), "figures": json.loads(run.figures_json)}


EXPORT_COLUMNS = ("id", "question", "answerable", "correct", "status", "answer", "cited",
                  "expected_doc_ids", "key_facts", "latency_ms", "error")


def _export_row(item: EvalItem) -> dict:
    return {"id": item.item_id, "item": json.loads(item.item_json), "correct": item.correct,
            "response": json.loads(item.response_json) if item.response_json else None,
            "latency_ms": item.latency_ms, "error": item.error}


def _cell(row: dict, column: str):
    item, answer = row["item"], (row["response"] or {}).get("answer", {})
    values = {"question": item["question"], "answerable": item["answerable"],
              "status": answer.get("status", ""), "answer": answer.get("text", ""),
              "cited": " ".join(dict.fromkeys(c["doc_id"] for c in answer.get("citations", []))),
              "expected_doc_ids": " ".join(item.get("expected_doc_ids", [])),
              "key_facts": " ; ".join(item.get("key_facts", []))}
    return values[column] if column in values else row[column]


def _answer_text(item: EvalItem) -> str:
    if item.response_json is None:
        return f"error: {item.error}"
    answer = json.loads(item.response_json)["answer"]
    return f"{answer['status']}: {answer['text']}"
