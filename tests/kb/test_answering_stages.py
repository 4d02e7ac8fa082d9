"""The answering stages one by one, on small hand-made units (no model, no store): selection
chooses the answer's units, a reference hands the answer to another document, units join into one
answer, fitted probabilities fall back to one feature before any fitting, and the meaning model
applies only to vectors of the embedding model it was fitted on."""

import json
from types import SimpleNamespace

import numpy as np
import pytest

from kb.answering import Answerer, Trace, probabilities
from kb.answering.selection import join, referred, select
from kb.errors import KBError
from kb.fitted import Fitted, LinearModel, NeighbourModel, Selection, VectorModel, neighbour_scores
from kb.units import Unit


def unit(doc: str, text: str, number: int = 0, position: int = 0) -> Unit:
    chunk = SimpleNamespace(number=number)
    return Unit(SimpleNamespace(doc_key=doc, chunk=chunk), text, text, position)


UNITS = [unit("fee@v1", "柜面转账每笔5元。", 0, 1), unit("fee@v1", "手机银行转账免费。", 0, 0),
         unit("card@v1", "年费300元。"), unit("fee@v1", "柜面转账每笔5元。", 1)]
LIMITS = (150, 4)


def test_the_best_unit_decides_the_document_and_near_ones_join_in_reading_order():
    chosen = select(UNITS, np.array([0.9, 0.8, 0.85, 0.1]), [frozenset()] * 4, Selection(), LIMITS)
    assert [u.display for u in chosen] == ["柜面转账每笔5元。", "手机银行转账免费。"]


def test_a_unit_of_another_document_never_joins_and_a_weak_one_stops_the_answer():
    chosen = select(UNITS, np.array([0.9, 0.1, 0.88, 0.05]), [frozenset()] * 4, Selection(), LIMITS)
    assert [u.hit.doc_key for u in chosen] == ["fee@v1"]


def test_a_unit_holding_a_word_no_chosen_unit_holds_joins_above_the_cover_floor():
    holds = [frozenset({"柜面"}), frozenset({"手机银行"}), frozenset(), frozenset()]
    wider = Selection(ratio=0.95, floor=0.2, cover_floor=0.5)
    chosen = select(UNITS, np.array([0.9, 0.6, 0.1, 0.1]), holds, wider, LIMITS)
    assert len(chosen) == 2


def test_limits_bound_the_answer_and_repeated_text_is_said_once():
    assert len(select(UNITS, np.array([0.9, 0.85, 0.1, 0.88]), [frozenset()] * 4, Selection(), (150, 1))) == 1
    chosen = select(UNITS, np.array([0.9, 0.1, 0.1, 0.88]), [frozenset()] * 4, Selection(), LIMITS)
    assert [u.display for u in chosen] == ["柜面转账每笔5元。"]


def test_a_reference_to_another_retrieved_document_hands_the_answer_over():
    catalog = SimpleNamespace(meta=lambda key: SimpleNamespace(title={"a@v1": "转账说明", "b@v1": "跨境汇款手续费标准"}[key]))
    hits = [SimpleNamespace(doc_key="a@v1"), SimpleNamespace(doc_key="b@v1")]
    pointer = [unit("a@v1", "手续费另见《跨境汇款手续费标准》。")]
    assert referred(pointer, hits, catalog) == "b@v1"
    assert referred([unit("a@v1", "手续费见《转账说明》。")], hits, catalog) is None


def test_units_join_into_one_answer_ending_on_a_full_stop():
    assert join(["主卡年费300元", "附属卡150元；"]) == "主卡年费300元；附属卡150元。"


def test_without_a_fitted_model_one_feature_ranks_and_a_missing_feature_is_refused():
    rows = np.array([[0.2, 0.7], [0.9, 0.1]])
    assert list(probabilities(None, rows, ("lexical", "dense"), "dense")) == [0.7, 0.1]
    stale = LinearModel(features=("gone",), mean=(0.0,), scale=(1.0,), coef=(1.0,), intercept=0.0)
    with pytest.raises(KBError, match="refit"):
        probabilities(stale, rows, ("lexical", "dense"), "dense")


def answerer_in(space: str):
    answerer = object.__new__(Answerer)
    answerer.space = space
    return answerer


def trace_with(question: list[float]) -> Trace:
    return Trace(SimpleNamespace(vector=np.array(question)), None)


MEANING = VectorModel(space="e5:1", coef=(1.0, 2.0), intercept=-0.5)
WITH_MEANING = LinearModel(features=("p_best", "meaning"), mean=(0.5, 1.25), scale=(1.0, 1.0),
                           coef=(1.0, 1.0), intercept=0.0)


def test_the_meaning_model_reads_the_question_vector():
    fitted = Fitted(meaning=MEANING, answerable=WITH_MEANING)
    assert answerer_in("e5:1").meaning(trace_with([0.6, 0.8]), fitted) == pytest.approx(0.6 + 1.6 - 0.5)


def test_vectors_of_another_model_or_no_model_leave_the_decision_where_the_average_left_it():
    trace = trace_with([0.6, 0.8])
    assert answerer_in("minilm:7").meaning(trace, Fitted(meaning=MEANING, answerable=WITH_MEANING)) == 1.25
    assert answerer_in("e5:1").meaning(trace, Fitted(answerable=WITH_MEANING)) == 1.25
    assert answerer_in("e5:1").meaning(trace, Fitted()) == 0.0


def test_a_fitted_file_keeps_its_meaning_model_and_an_older_file_loads_without_one():
    fitted = Fitted(meaning=MEANING, answerable=WITH_MEANING)
    assert Fitted.from_json(fitted.to_json()) == fitted
    older = json.loads(fitted.to_json())
    del older["meaning"]
    assert Fitted.from_json(json.dumps(older)).meaning is None


def test_a_meaning_model_of_other_dimensions_asks_for_a_refit():
    with pytest.raises(KBError, match="refit"):
        answerer_in("e5:1").meaning(trace_with([0.6, 0.8, 0.0]), Fitted(meaning=MEANING))


# Three fitted questions: two answerable ones near (1, 0), an unanswerable one at (0, 1).
NEIGHBOURS = NeighbourModel.of("e5:1", 2, np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 2.0]]), np.array([True, True, False]))
WITH_NEIGHBOURS = LinearModel(features=("p_best", "neighbours"), mean=(0.5, 0.7), scale=(1.0, 1.0),
                              coef=(1.0, 1.0), intercept=0.0)


def test_the_nearest_questions_answerability_weighted_by_similarity():
    fitted = Fitted(neighbours=NEIGHBOURS, answerable=WITH_NEIGHBOURS)
    assert answerer_in("e5:1").neighbours(trace_with([2.0, 0.0]), fitted) == pytest.approx(1.0)
    # (0.6, 0.8): nearest (0, 1) at 0.8 (unanswerable) and (0.8, 0.6) at 0.96 (answerable)
    assert answerer_in("e5:1").neighbours(trace_with([0.6, 0.8]), fitted) == pytest.approx(0.96 / 1.76, abs=1e-3)


def test_neighbour_scores_read_the_k_nearest_only():
    pool = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]], dtype=np.float32)
    scores = neighbour_scores(pool, np.array([1.0, 0.0, 0.0], dtype=np.float32), np.array([[1.0, 0.0], [0.0, 3.0]]), 1)
    assert list(scores) == [1.0, 0.0]


def test_neighbours_of_another_model_leave_the_decision_where_the_average_left_it():
    trace = trace_with([0.6, 0.8])
    assert answerer_in("minilm:7").neighbours(trace, Fitted(neighbours=NEIGHBOURS, answerable=WITH_NEIGHBOURS)) == 0.7
    assert answerer_in("e5:1").neighbours(trace, Fitted()) == 0.0
    with pytest.raises(KBError, match="refit"):
        answerer_in("e5:1").neighbours(trace_with([0.6, 0.8, 0.0]), Fitted(neighbours=NEIGHBOURS))


def test_a_fitted_file_keeps_its_neighbour_questions_and_an_older_file_loads_without_them():
    fitted = Fitted(neighbours=NEIGHBOURS, answerable=WITH_NEIGHBOURS)
    loaded = Fitted.from_json(fitted.to_json())
    assert loaded == fitted
    assert loaded.neighbours is not None and loaded.neighbours.score(np.array([1.0, 0.0])) == pytest.approx(1.0)
    older = json.loads(fitted.to_json())
    del older["neighbours"]
    assert Fitted.from_json(json.dumps(older)).neighbours is None
