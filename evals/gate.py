"""The publish gate: a document version goes live only if every evaluation item that expects its
document, and was answered correctly in the latest recorded run, is still answered correctly by
the knowledge base as it would be with that version. A change that breaks what agents relied on
is refused with the items it breaks; an editor allowed to override gives a written reason."""

import datetime as dt
from dataclasses import dataclass, field

from evals.scoring import is_correct
from kb.models import SourceDocument
from kb.store import records_of


@dataclass
class GateFailure:
    """An item that was correct and is not with the new version: what was expected, what came."""

    item_id: str
    question: str
    expected_doc_ids: list[str]
    key_facts: list[str]
    status: str
    answer: str
    cited: list[str]


@dataclass
class GateResult:
    run_id: int | None = None
    checked: int = 0
    failures: list[GateFailure] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.run_id is None:
            return "no evaluation run is recorded: nothing to check"
        return (f"{self.checked} item(s) of run {self.run_id} expect this document; "
                f"{len(self.failures)} that were correct would now fail")


def check(kb, doc: SourceDocument, nodes) -> GateResult:
    """Answer the items against the live index plus `doc` (`nodes` embedded), as of the day the
    version takes effect (or the item's own `as_of`); nothing is written anywhere."""
    run_id, items = kb.runs.correct_items_expecting(doc.meta.doc_id)
    if not items:
        return GateResult(run_id)
    chunks, vectors = records_of(nodes)
    candidate = kb.index.with_versions([doc], chunks, vectors, generation=None)
    day = max(dt.date.today(), doc.meta.effective_from or dt.date.today())
    failures = [failure for item in items if (failure := _failure(kb, candidate, item, day))]
    return GateResult(run_id, len(items), failures)


def _failure(kb, candidate, item: dict, day: dt.date) -> GateFailure | None:
    as_of = dt.date.fromisoformat(item["as_of"]) if item.get("as_of") else day
    response = kb.ask(item["question"], as_of, index=candidate).contract_dict()
    if is_correct(item, response):
        return None
    answer = response["answer"]
    return GateFailure(item["id"], item["question"], item.get("expected_doc_ids", []),
                       item.get("key_facts", []), answer["status"], answer["text"],
                       list(dict.fromkeys(c["doc_id"] for c in answer["citations"])))
