"""The meaning model of the fitting (evals.fitting), on hand-made vectors: each case is scored by a
model fitted without its own bank, so that the answerability model learns how far such a score
carries to a bank it has never seen."""

from types import SimpleNamespace

import numpy as np

from evals.fitting import _fit_meaning, _fit_neighbours, fit_decision


def case(bank: str, answerable: bool, question: list[float]):
    fold = SimpleNamespace(bank=SimpleNamespace(name=bank), kb=SimpleNamespace(embedder=SimpleNamespace(id="e5:1")))
    data = SimpleNamespace(item={"answerable": answerable}, question=SimpleNamespace(vector=np.array(question)))
    return fold, data, None, None, None


def cases(bank: str, first_means_answerable: bool, n: int = 20):
    rng = np.random.default_rng(len(bank))
    out = []
    for i in range(n):
        answerable = i % 2 == 0
        sign = 1.0 if answerable == first_means_answerable else -1.0
        out.append(case(bank, answerable, [sign * (0.5 + rng.random()), rng.random() - 0.5]))
    return out


def test_each_bank_is_scored_by_a_model_that_never_saw_it():
    pairs = cases("a", True) + cases("b", True) + cases("c", False, n=60)
    model, scores = _fit_meaning(pairs)
    first = np.array([c[1].question.vector[0] for c in pairs])
    in_c = np.arange(len(pairs)) >= 40
    # bank c, the larger, says the opposite of a and b: a model that had seen it would follow it;
    # fitted on a and b alone, its scores follow them
    assert (np.sign(scores[in_c]) == np.sign(first[in_c])).all()
    assert model is not None and model.space == "e5:1" and len(model.coef) == 2


def test_one_bank_gives_no_meaning_model():
    pairs = cases("a", True)
    model, scores = _fit_meaning(pairs)
    assert model is None and not scores.any()


def test_an_answerable_question_answered_wrong_has_no_say_in_the_decision():
    rng = np.random.default_rng(7)
    signal = np.concatenate([rng.normal(1.0, 0.5, 60), rng.normal(-1.0, 0.5, 40), rng.normal(-1.5, 0.5, 30)])
    rows = np.column_stack([signal, rng.normal(0, 1, 130)])
    labels = np.array([True] * 60 + [False] * 40 + [True] * 30)   # the last 30: answerable,
    right = np.array([True] * 60 + [False] * 40 + [False] * 30)    # but the answer found is wrong
    model, threshold = fit_decision(rows, labels, right, ("signal", "noise"))
    alone, _ = fit_decision(rows[:100], labels[:100], right[:100], ("signal", "noise"))
    assert model.coef == alone.coef and model.intercept == alone.intercept
    # fitted on answerability alone, the wrong answers (low signal, labelled answerable) would
    # have pulled the model away from the signal
    pulled, _ = fit_decision(rows, labels, labels, ("signal", "noise"))
    assert pulled.coef[0] < model.coef[0]
    p = model.probability(rows)
    assert np.mean(np.where(p >= threshold, right, ~labels)[:100]) > 0.9


def test_the_neighbour_pool_holds_only_questions_whose_outcome_the_decision_decides():
    wrong = [case("a", True, [1.0, 0.1]) for _ in range(5)]         # answerable, but answered wrong
    unanswerable = [case("a", False, [1.0, 0.4]) for _ in range(5)]
    asked = [case("b", True, [1.0, 0.1])]
    pairs = wrong + unanswerable + asked
    decided = np.array([False] * 5 + [True] * 5 + [True])
    model, scores = _fit_neighbours(pairs, decided)
    assert scores[-1] == 0.0              # the nearest five left, the unanswerable are what it reads
    assert _fit_neighbours(pairs, np.ones(len(pairs), dtype=bool))[1][-1] == 1.0  # all five nearest answerable
    assert model is not None and model.answerable == "0" * 5 + "1"
