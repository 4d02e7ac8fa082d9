"""`Application`: a `KnowledgeBase` that can also ingest, publish and evaluate. It lives above the
core, `ingest` and `evals`, so that none of those imports another layer's composition."""

import datetime as dt
import hashlib
import json
from functools import cached_property
from pathlib import Path

from application.schema import upgrade
from evals.call_review import evaluate_call_sets
from evals.call_runs import CallEvalRuns
from evals.gate import check as gate_check
from evals.jobs import EvalJobs
from evals.runner import run_evaluation
from evals.runs import RunLog
from ingest.indexer import ingest_into
from ingest.publishing import Publisher
from ingest.reader import read_folder
from kb.calls.desk import CallDesk
from kb.calls.events import CallEventLog
from kb.calls.records import CallRecords
from kb.calls.rules import ScorecardRules
from kb.database import make_engine
from kb.errors import KBError
from kb.knowledge_base import KnowledgeBase
from kb.users import utc_now
from kb.vocab import read_text, vocabulary_hash


class Application(KnowledgeBase):
    @cached_property
    def database(self):
        """The app database's engine, its schema brought up to the newest migration first."""
        engine = make_engine(self.settings.app_database_url)
        upgrade(engine)
        return engine

    @cached_property
    def calls(self) -> CallDesk:
        """Live calls: suggestions and checks as they are spoken, and their quality scorecards."""
        records = CallRecords(self.database, self.settings.call_retention_days, utc_now)
        return CallDesk(self, records, ScorecardRules.load(), CallEventLog(self.database))

    @cached_property
    def publisher(self) -> Publisher:
        """Editors' changes, each checked by the evaluation gate before it is written."""
        return Publisher(self, gate=lambda doc, nodes: gate_check(self, doc, nodes))

    @cached_property
    def runs(self) -> RunLog:
        return RunLog(self.database)

    @cached_property
    def jobs(self) -> EvalJobs:
        """Evaluation runs started from the pages, in the background."""
        return EvalJobs(self)

    def validate(self, source: Path):
        """A folder checked against the contract and the stored disclosures; nothing written."""
        stored = self.store.document_records() if self.store_exists() else []
        return read_folder(source, {d.meta.doc_id for d in stored if d.meta.category == "disclosure"})

    def ingest(self, source: Path):
        return ingest_into(self, source)

    def evaluate(self, dataset: Path, record: bool = True, **options):
        """Answer and score every item; the run is recorded (figures, every response and
        verdict, and what they depend on: _run_inputs) and its id kept on the report."""
        report = run_evaluation(self, dataset, **options)
        if record:
            report.run_id = self.runs.record(report, dataset, *self._run_inputs())
        return report

    def unchanged_run(self, dataset: Path) -> int | None:
        """The recorded run that evaluating `dataset` now would only repeat (same set, documents
        in force, model and settings), so that starting the demo does not pile up runs."""
        return self.runs.same_run(dataset, *self._run_inputs())

    def _run_inputs(self) -> tuple[list[str], str, dict]:
        """What a run's figures depend on beside the set: the documents in force, the model, the
        settings, the fitted models (when and on what code they were fitted) and the vocabulary."""
        fitted = {k: self.fitted.provenance.get(k) for k in ("fitted_at", "code", "vocabulary_sha256")}
        return (sorted(self.catalog.live_keys(dt.date.today())), self.embedder.id,
                {**self.settings.model_dump(mode="json"), "fitted": fitted, "vocabulary": vocabulary_hash()})

    @cached_property
    def call_runs(self) -> CallEvalRuns:
        return CallEvalRuns(self.database)

    def evaluate_calls(self, folder: Path, record: bool = True) -> dict:
        """Recorded calls listened to and their findings compared, per writer's folder and in
        all (the disclosure share fitted on the folders not sealed: evals.call_review); the run
        is recorded with the calls' and the rules' hashes and the model, its id under "run"."""
        figures = evaluate_call_sets(self, folder)
        if record:
            rules = hashlib.sha256(read_text("scorecard.yaml").encode()).hexdigest()
            figures["run"] = self.call_runs.record(folder, figures, rules, self.embedder.id)
        return figures

    def example_questions(self, count: int) -> list[str]:
        """Questions to show on an empty panel: ones the latest evaluation run answered
        correctly, else the documents' first product names."""
        try:
            runs = self.runs.summaries()
        except KBError:
            runs = []
        examples: list[str] = []
        if runs:
            items = self.runs.items(runs[-1]["id"]).values()
            asked = [json.loads(i.item_json) for i in items if i.correct]
            examples = [a["question"] for a in asked if a.get("answerable") and a.get("question")][:count]
        names = [d.meta.products[0] for d in self.catalog.by_key.values() if d.meta.products]
        return (examples + [f"{name}有哪些规定" for name in dict.fromkeys(names)])[:count]
