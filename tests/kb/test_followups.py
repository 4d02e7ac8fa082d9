"""A follow-up's two readings (with the call's product, and alone) and which one answers: the
decision alone, on answers made by hand (the end-to-end behaviour is in test_assist.py)."""

from types import SimpleNamespace

from kb.followups import _carries, remember
from kb.models import Answer, Citation
from kb.sessions import CallContext

MIN_COVER = 0.5


def reading(status: str, doc_id: str = "cc-gold", own_cover: float = 1.0, answerable: float = 0.8):
    citations = [Citation(doc_id=doc_id, version=1, title=doc_id, section="s", quote="q")] if status == "answered" else []
    return SimpleNamespace(answer=Answer(status=status, text="…", citations=citations), own_cover=own_cover,
                           answerable=answerable)


def test_the_product_is_carried_when_only_the_reading_with_it_answers():
    assert _carries(reading("answered"), reading("no_answer"), MIN_COVER)


def test_the_product_is_not_carried_when_its_reading_refuses():
    assert not _carries(reading("no_answer"), reading("answered"), MIN_COVER)


def test_a_question_on_a_new_topic_lets_the_product_go():
    """The product's document holds little of what the agent typed."""
    assert not _carries(reading("answered", own_cover=0.2), reading("no_answer"), MIN_COVER)


def test_both_answering_from_other_documents_the_surer_reading_wins():
    carried, plain = reading("answered", "cc-gold", answerable=0.6), reading("answered", "fee-transfer", answerable=0.9)
    assert not _carries(carried, plain, MIN_COVER)
    assert _carries(reading("answered", "cc-gold", answerable=0.95), plain, MIN_COVER)


def test_both_citing_the_same_document_the_product_is_carried():
    assert _carries(reading("answered", answerable=0.1), reading("answered", answerable=0.9), MIN_COVER)


def test_the_call_remembers_the_last_product_named():
    context = CallContext()
    answer = Answer(status="no_answer", text="")
    info = remember(SimpleNamespace(), context, [("金卡", {"cc-gold"}), ("白金卡", {"cc-plat"})], "q", "q", answer)
    assert context.product == "白金卡" and info.turn == 1 and not info.carried
    assert remember(SimpleNamespace(), None, [], "q", "q", answer) is None
