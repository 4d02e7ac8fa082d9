"""The fitting behind `python -m evals.fit`: what is collected of each bank once, and how each
piece is fitted from it.

Labels come from the evaluation items alone: a unit is a right answer when its document is an
expected one and it states one of the item's key facts; a question is answerable as its item says.
Each piece is small and explainable: a grid over four fusion weights, two logistic regressions
(scikit-learn) on standardized features, a grid over the selection bar, and the threshold that
answers most items right.
"""

import datetime as dt
from dataclasses import dataclass, field, replace

import numpy as np

from evals.banks import Bank
from evals.runner import load_dataset
from evals.scoring import fact_present
from kb.answering import probabilities
from kb.answering.answerability import ANSWER_FEATURES
from kb.answering.candidates import UNIT_FEATURES, Candidates
from kb.answering.selection import join, select
from kb.fitted import Fitted, Fusion, LinearModel, NeighbourModel, Selection, VectorModel, neighbour_scores, unit_rows
from kb.text import normalize_for_match

FUSION_GRID = {"dense": (0.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0), "unit": (0.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0),
               "alias_bonus": (0.0, 0.25, 0.5, 1.0, 2.0, 4.0), "category_bonus": (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)}
SELECTION_GRID = {"ratio": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9), "floor": (0.0, 0.02, 0.05, 0.1, 0.2, 0.3),
                  "cover_floor": (0.0, 0.01, 0.02, 0.05, 0.1, 1.0)}
# The selection is the most accurate whose answers on the training banks are this long at the
# median: more units of the right document always carry more key facts, so without a bar the fit
# fills every answer to KB_ANSWER_MAX_CHARS. The bar of the product is 120 at the median on banks
# never seen; this keeps a margin under it.
ANSWER_MEDIAN_CHARS = 100
REGULARIZATION = 1.0
MEANING_REGULARIZATION = 0.1  # of the vector model: 384 weights learn from a few thousand questions
MEANING_SCALE = 10.0          # unit-length vectors scaled so that the regularization reads as for standardized features
# Questions whose answerability the neighbour score reads (kb.fitted.NeighbourModel). Set before
# the first run; on the read banks' answerability rows (scored leave-one-bank-out, nested) 3, 5 and
# 10 scored within six items of one another, 25 lower.
NEIGHBOURS = 5


@dataclass
class ItemData:
    item: dict
    question: object            # kb.answering.question.Question
    hits: list                  # every retrieved chunk, as retrieval scored it
    named: set[str]
    cued: set[str]
    candidates: dict = field(default_factory=dict)  # fusion → (Candidates, unit labels)


@dataclass
class FoldData:
    bank: Bank
    kb: object
    items: list[ItemData]


def collect(kb, bank: Bank) -> FoldData:
    """Each item's question, read once, and its retrieved chunks with their signals."""
    index = kb._load()
    kb.warm_up()
    items = []
    for item in load_dataset(bank.questions):
        day = dt.date.fromisoformat(item["as_of"]) if item.get("as_of") else dt.date.today()
        question_text = item["question"]
        hits = index.retriever.search(question_text, day)
        question = index.answerer.reader.read(question_text, kb.embedder.query(question_text))
        items.append(ItemData(item, question, hits, index.retriever.named_docs(question.text),
                              index.retriever.cued_categories(question.text)))
    return FoldData(bank, kb, items)


def rescored(data: ItemData, fusion: Fusion, catalog) -> list:
    hits = []
    for hit in data.hits:
        score = fusion.lexical * hit.lexical + fusion.dense * hit.dense + fusion.unit * hit.unit_best
        score += fusion.alias_bonus * (hit.chunk.meta["doc_id"] in data.named)
        score += fusion.category_bonus * (catalog.meta(hit.doc_key).category in data.cued)
        hits.append(replace(hit, score=score))
    hits.sort(key=lambda h: h.score, reverse=True)
    for rank, hit in enumerate(hits):
        hit.rank = rank
    return hits


def fit_fusion(folds: dict[str, FoldData]) -> Fusion:
    """The weights that put an expected document first for most answerable items, each bank
    weighing the same; ties go to the smaller weights."""
    tables = [_signals(fold) for fold in folds.values()]
    best, best_score = Fusion(), -1.0
    for dense in FUSION_GRID["dense"]:
        for unit in FUSION_GRID["unit"]:
            for alias in FUSION_GRID["alias_bonus"]:
                for category in FUSION_GRID["category_bonus"]:
                    weights = np.array([1.0, dense, unit, alias, category])
                    score = np.mean([_hit_at_1(table, weights) for table in tables])
                    if score > best_score + 1e-9:
                        best, best_score = Fusion(1.0, dense, unit, alias, category), score
    return best


def _signals(fold: FoldData) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per answerable item: a (hits × 5) array of signals, and which hits are of an expected doc."""
    catalog = fold.kb.catalog
    table = []
    for data in fold.items:
        if not data.item["answerable"] or not data.hits:
            continue
        expected = set(data.item.get("expected_doc_ids", []))
        signals = np.array([[h.lexical, h.dense, h.unit_best, h.chunk.meta["doc_id"] in data.named,
                             catalog.meta(h.doc_key).category in data.cued] for h in data.hits], dtype=float)
        table.append((signals, np.array([h.chunk.meta["doc_id"] in expected for h in data.hits])))
    return table


def _hit_at_1(table, weights: np.ndarray) -> float:
    return float(np.mean([right[np.argmax(signals @ weights)] for signals, right in table])) if table else 0.0


def candidates(fold: FoldData, data: ItemData, fusion: Fusion) -> tuple[Candidates, np.ndarray]:
    """The item's candidate units under this fusion, and which of them are right answers."""
    key = tuple(vars(fusion).values())
    if key not in data.candidates:
        index = fold.kb.index
        hits = rescored(data, fusion, index.catalog)
        found = index.answerer.candidate_reader.read(data.question, hits, index.catalog, data.named)
        data.candidates[key] = (found, _unit_labels(data.item, found), hits)
    return data.candidates[key]


def _unit_labels(item: dict, found: Candidates) -> np.ndarray:
    if not item["answerable"]:
        return np.zeros(len(found.units), dtype=bool)
    expected = set(item.get("expected_doc_ids", []))
    facts = item.get("key_facts", [])
    return np.array([u.hit.chunk.meta["doc_id"] in expected and any(fact_present(f, u.display) for f in facts)
                     for u in found.units], dtype=bool)


def fit_logistic(rows: np.ndarray, labels: np.ndarray, names: tuple[str, ...]) -> LinearModel:
    from sklearn.linear_model import LogisticRegression

    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=REGULARIZATION, max_iter=2000)
    model.fit((rows - mean) / scale, labels)
    return LinearModel(tuple(names), tuple(mean.round(6).tolist()), tuple(scale.round(6).tolist()),
                       tuple(model.coef_[0].round(6).tolist()), round(float(model.intercept_[0]), 6))


def fit_all(folds: dict[str, FoldData]) -> Fitted:
    fusion = fit_fusion(folds)
    cases = [(fold, data, *candidates(fold, data, fusion)) for fold in folds.values() for data in fold.items]
    units = _fit_units(cases)
    selection = _fit_selection(cases, units)
    chosen = [_chosen(fold, found, units, selection) for fold, _, found, _, _ in cases]  # (p, units)
    meaning, scores = _fit_meaning(cases)
    answerable_items = np.array([data.item["answerable"] for _, data, _, _, _ in cases], dtype=bool)
    right = np.array([data.item["answerable"] and _right_if_answered(data, answer)
                      for (_, data, _, _, _), (_, answer) in zip(cases, chosen)], dtype=bool)
    neighbours, nearby = _fit_neighbours(cases, right | ~answerable_items)
    answerable, threshold = _fit_answerable(cases, chosen, scores, nearby, right)
    return Fitted(fusion=fusion, units=units, answerable=answerable, threshold=threshold, selection=selection,
                  meaning=meaning, neighbours=neighbours)


def _fit_units(cases) -> LinearModel:
    rows = [found.rows for _, data, found, labels, _ in cases if data.item["answerable"] and len(found.units)]
    labels = [labels for _, data, found, labels, _ in cases if data.item["answerable"] and len(found.units)]
    return fit_logistic(np.vstack(rows), np.concatenate(labels), UNIT_FEATURES)


def _right_if_answered(data: ItemData, chosen) -> bool:
    """The contract's verdict on an answer made of these units."""
    expected = set(data.item.get("expected_doc_ids", []))
    text = normalize_for_match("".join(u.display for u in chosen))
    return (any(u.hit.chunk.meta["doc_id"] in expected for u in chosen)
            and all(any(normalize_for_match(a) in text for a in f.split("|") if a.strip())
                    for f in data.item.get("key_facts", [])))


def _fit_selection(cases, units: LinearModel) -> Selection:
    answerable = [(fold, data, found) for fold, data, found, _, _ in cases
                  if data.item["answerable"] and len(found.units)]
    scored = [(fold, data, found, probabilities(units, found.rows, UNIT_FEATURES, "dense"))
              for fold, data, found in answerable]
    best, best_score = Selection(), -1.0
    for ratio in SELECTION_GRID["ratio"]:
        for floor in SELECTION_GRID["floor"]:
            for cover_floor in SELECTION_GRID["cover_floor"]:
                selection = Selection(ratio, floor, cover_floor)
                answers = [(data, select(found.units, p, found.holds, selection, _limits(fold)))
                           for fold, data, found, p in scored]
                if np.median([len(join(u.display for u in chosen)) for _, chosen in answers]) > ANSWER_MEDIAN_CHARS:
                    continue
                score = np.mean([_right_if_answered(data, chosen) for data, chosen in answers])
                if score > best_score + 1e-9:
                    best, best_score = selection, score
    return best


def _limits(fold: FoldData) -> tuple[int, int]:
    return fold.kb.settings.answer_max_chars, fold.kb.settings.answer_max_units


def _chosen(fold: FoldData, found: Candidates, units: LinearModel, selection: Selection) -> tuple[np.ndarray, list]:
    """The units' probabilities and the answer selection makes of them."""
    if not len(found.units):
        return np.zeros(0), []
    p = probabilities(units, found.rows, UNIT_FEATURES, "dense")
    return p, select(found.units, p, found.holds, selection, _limits(fold))


def _meaning_rows(cases) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per case: the question's vector, whether it is answerable, and its bank."""
    rows = np.array([data.question.vector for _, data, _, _, _ in cases]) * MEANING_SCALE
    labels = np.array([data.item["answerable"] for _, data, _, _, _ in cases])
    return rows, labels, np.array([fold.bank.name for fold, _, _, _, _ in cases])


def _fit_meaning(cases) -> tuple[VectorModel | None, np.ndarray]:
    """The vector model, and each case's score from a model fitted without its own bank (so
    that the answerability model learns how far such a score carries to a bank it has not
    seen). With one bank there is nothing to carry it across, and no model."""
    scores = np.zeros(len(cases))
    rows, labels, banks = _meaning_rows(cases)
    if len(set(banks)) < 2:
        return None, scores
    for bank in sorted(set(banks)):
        scores[banks == bank] = _logistic(rows[banks != bank], labels[banks != bank]).decision_function(
            rows[banks == bank])
    model = _logistic(rows, labels)
    space = cases[0][0].kb.embedder.id
    return VectorModel(space, tuple((model.coef_[0] * MEANING_SCALE).round(5).tolist()),
                       round(float(model.intercept_[0]), 5)), scores


def _fit_neighbours(cases, decided: np.ndarray) -> tuple[NeighbourModel | None, np.ndarray]:
    """The questions whose outcome the decision decides (`decided`: unanswerable, or answered
    right; as fit_decision, an answerable question answered wrong says nothing of whether to
    answer) with their answerability, and each case's neighbour score read among the other
    banks' questions only (as the meaning model's scores are, and for the same reason)."""
    scores = np.zeros(len(cases))
    rows, labels, banks = _meaning_rows(cases)
    if len(set(banks)) < 2:
        return None, scores
    for bank in sorted(set(banks)):
        pool = (banks != bank) & decided
        scores[banks == bank] = neighbour_scores(unit_rows(rows[pool]), labels[pool].astype(np.float32),
                                                 rows[banks == bank], NEIGHBOURS)
    return NeighbourModel.of(cases[0][0].kb.embedder.id, NEIGHBOURS, rows[decided], labels[decided]), scores


def _logistic(rows: np.ndarray, labels: np.ndarray):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=MEANING_REGULARIZATION, max_iter=3000).fit(rows, labels)


def _fit_answerable(cases, chosen: list, scores: np.ndarray, nearby: np.ndarray,
                    right_if_answered: np.ndarray) -> tuple[LinearModel, float]:
    """The decision to answer (fit_decision), on each case's answerability row.
    `right_if_answered`: per case, answerable and its chosen answer right."""
    rows, labels, right = [], [], []
    for (fold, data, found, _, hits), (p, answer), meaning, near, ok in zip(cases, chosen, scores, nearby,
                                                                            right_if_answered):
        if not len(found.units):
            continue
        answerer = fold.kb.index.answerer
        rows.append(answerer.answerability.row(data.question, found, p, answer, hits, fold.kb.index.catalog,
                                               float(meaning), float(near)))
        labels.append(data.item["answerable"])
        right.append(bool(ok))
    return fit_decision(np.array(rows), np.array(labels, dtype=bool), np.array(right, dtype=bool), ANSWER_FEATURES)


def fit_decision(rows: np.ndarray, labels: np.ndarray, right: np.ndarray,
                 names: tuple[str, ...]) -> tuple[LinearModel, float]:
    """The decision to answer, fitted on the questions whose outcome it decides: an answerable
    question answered wrong is lost whether answered or refused, so it has no say in the model,
    which then weighs "the answer is right" against "the question is unanswerable" (answering
    is right when the first is the likelier). The threshold is the one that gets most of all
    the questions right. `labels`: answerable; `right`: answerable and right if answered."""
    decided = right | ~labels
    model = fit_logistic(rows[decided], labels[decided], names)
    p = model.probability(rows)
    thresholds = np.unique(np.round(p, 3))
    accuracy = [np.mean(np.where(p >= t, right, ~labels)) for t in thresholds]
    return model, float(thresholds[int(np.argmax(accuracy))])
