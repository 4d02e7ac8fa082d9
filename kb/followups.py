"""A question asked during a call: read alone, or with the product the call is about when it
names none (a follow-up), and what the call remembers of it afterwards."""

import datetime as dt

from kb.answering import Trace
from kb.index import Index
from kb.models import Answer, CallContextInfo
from kb.retrieval import Hit
from kb.sessions import CallContext

# Categories whose documents are about one product, which a follow-up question may leave out.
PRODUCT_CATEGORIES = frozenset({"credit_card", "loan", "wealth", "deposit"})


def answer_in_call(index: Index, query: str, day: dt.date, context: CallContext | None,
                   names_product: bool) -> tuple[str, list[Hit], Answer]:
    """A follow-up that names no product may be about the product of the call so far: it is
    read both ways, and carried only when the call's product leads to another document that
    answers it more surely (a question on a new topic lets the earlier product go).
    Returns the question as read, its hits and its answer."""
    def traced(asked: str, own_words: str | None = None) -> tuple[list[Hit], Trace]:
        hits = index.retriever.search(asked, day)
        return hits, index.answerer.trace(asked, hits, index.catalog, index.retriever.named_docs(asked),
                                          own_words=own_words)

    hits, plain = traced(query)
    if context is not None and context.product and not names_product:
        asked = f"{context.product} {query}"
        carried_hits, carried = traced(asked, own_words=query)
        if _carries(carried, plain, index.answerer.settings.context_min_cover):
            return asked, carried_hits, answer_of(carried)
    return query, hits, answer_of(plain)


def remember(index: Index, context: CallContext | None, named: list[tuple[str, set[str]]], query: str,
             asked: str, answer: Answer) -> CallContextInfo | None:
    """The call's product after this question: the last product it names, or else the product
    of the document that answered it, when the call had none yet."""
    if context is None:
        return None
    if named:
        context.product = named[-1][0]
    elif context.product is None and answer.citations:
        cited = index.catalog.cited(answer.citations)[0]
        if cited.category in PRODUCT_CATEGORIES and cited.products:
            context.product = cited.products[0]
    context.turns += 1
    return CallContextInfo(product=context.product, carried=asked != query, turn=context.turns)


def _carries(carried: Trace, plain: Trace, min_cover: float) -> bool:
    """Whether the call's product makes the reading of a follow-up: it answers, the product's
    document holds most of what the agent typed (a question on a new topic does not stay with the
    earlier product), and the question alone answers no more surely from elsewhere."""
    with_product, alone = answer_of(carried), answer_of(plain)
    if with_product.status != "answered" or carried.own_cover < min_cover:
        return False
    if alone.status != "answered":
        return True
    same = {c.doc_id for c in with_product.citations} & {c.doc_id for c in alone.citations}
    return bool(same) or carried.answerable >= plain.answerable


def answer_of(trace: Trace) -> Answer:
    assert trace.answer is not None  # every trace ends in an answer or a no-answer
    return trace.answer
