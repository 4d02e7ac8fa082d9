"""Extractive answers in stages, each taking units and returning units (as llama-index
postprocessors take and return nodes): the question is read once; candidates are the units of the
retrieved sections of the best few documents; a fitted model scores each; selection keeps the best
and what scores nearly as well; a fitted answerability decision answers or says the knowledge base
holds no answer (with the nearest passages as "related"); citations quote the units chosen.

No language model is called, and no threshold is set by hand: kb/fitted.json holds what was
fitted on evaluation banks (`python -m evals.fit`).
"""

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from kb.answering.answerability import ANSWER_FEATURES, AnswerabilityReader
from kb.answering.candidates import UNIT_FEATURES, CandidateReader, Candidates
from kb.answering.evidence import Holding
from kb.answering.question import Question, QuestionReader
from kb.answering.selection import join, referred, select
from kb.config import Settings
from kb.errors import KBError
from kb.fitted import Fitted, LinearModel
from kb.lexicon import Analyzer
from kb.messages import message
from kb.models import Answer, Citation
from kb.units import Unit, section_units

if TYPE_CHECKING:
    from kb.catalog import Catalog
    from kb.retrieval import Hit
    from kb.speller import Speller

RELATED = 3


@dataclass
class Trace:
    """Every stage's output for one question: what fitting learns from and what explains a
    decision."""
    question: Question
    candidates: Candidates
    probabilities: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chosen: list[Unit] = field(default_factory=list)
    answer_row: list[float] | None = None
    answerable: float = 0.0
    answer: Answer | None = None

    @property
    def own_cover(self) -> float:
        """How much of the agent's own words the answer's document holds (1 with no own words)."""
        return self.answer_row[ANSWER_FEATURES.index("own_cover")] if self.answer_row else 0.0


class Answerer:
    def __init__(self, analyzer: Analyzer, idf: Callable[[str], float], seen: Callable[[str], bool],
                 settings: Settings, fitted: Fitted, embed: Callable[[str], list[float]],
                 cues: Callable[[str], set[str]], speller: "Speller | None" = None, space: str = ""):
        """`space`: the embedding model the question's vector comes from."""
        self.analyzer = analyzer
        self.space = space
        self.settings = settings
        self.fitted = fitted
        self.embed = embed
        self.holding = Holding(analyzer)
        self.reader = QuestionReader(analyzer, idf, seen, speller)
        self.candidate_reader = CandidateReader(self.holding, cues)
        self.answerability = AnswerabilityReader(self.holding)

    def rebound(self, idf: Callable[[str], float], seen: Callable[[str], bool],
                speller: "Speller | None") -> "Answerer":
        """The same answerer over a grown index (its per-text caches stay valid), spelling with
        that index's speller."""
        other = object.__new__(Answerer)
        other.__dict__.update(self.__dict__)
        other.reader = self.reader.rebound(idf, seen, speller)
        return other

    def key_terms(self, query: str) -> list[str]:
        return self.reader.key_terms(self.analyzer.spell(query, self.reader.speller))

    def answer(self, query: str, hits: list["Hit"], catalog: "Catalog", named: Collection[str] = frozenset(),
               own_words: str | None = None) -> Answer:
        """`own_words`: what the agent typed, when `query` adds the call's product to it."""
        answer = self.trace(query, hits, catalog, named, own_words).answer
        assert answer is not None  # every trace ends in an answer or a no-answer
        return answer

    def trace(self, query: str, hits: list["Hit"], catalog: "Catalog", named: Collection[str] = frozenset(),
              own_words: str | None = None, fitted: Fitted | None = None) -> Trace:
        fitted = fitted or self.fitted
        question = self.reader.read(query, self.embed(query), own_words)
        trace = Trace(question, self.candidate_reader.read(question, hits, catalog, set(named)))
        if not trace.candidates.units:
            trace.answer = no_answer()
            return trace
        return self.decide(trace, hits, catalog, fitted)

    def decide(self, trace: Trace, hits: list["Hit"], catalog: "Catalog", fitted: Fitted) -> Trace:
        """The stages after the candidates, which depend on the fitted models."""
        units = trace.candidates.units
        trace.probabilities = probabilities(fitted.units, trace.candidates.rows, UNIT_FEATURES, "dense")
        trace.chosen = self._chosen(trace, hits, catalog, fitted)
        trace.answer_row = self.answerability.row(trace.question, trace.candidates, trace.probabilities,
                                                  trace.chosen, hits, catalog, self.meaning(trace, fitted),
                                                  self.neighbours(trace, fitted))
        trace.answerable = float(probabilities(
            fitted.answerable, np.array([trace.answer_row]), ANSWER_FEATURES, "p_best")[0])
        if trace.answerable < fitted.threshold:
            trace.answer = no_answer(self._related(units, trace.probabilities, catalog))
        else:
            trace.answer = Answer(status="answered", text=join(u.display for u in trace.chosen),
                                  citations=[_citation(u, catalog) for u in trace.chosen])
        return trace

    def meaning(self, trace: Trace, fitted: Fitted) -> float:
        """The fitted model's log-odds from the meaning of the question; where it does not apply
        (no model, vectors of another embedding model), the value the answerability model saw on
        average, which moves its decision neither way."""
        model, vector = fitted.meaning, trace.question.vector
        if model is not None and model.space == self.space:
            if len(model.coef) != len(vector):
                raise KBError(f"kb/fitted.json: its meaning model reads {len(model.coef)} numbers, the question's "
                              f"vector has {len(vector)}; refit with `python -m evals.fit`")
            return model.score(vector)
        return _average(fitted, "meaning")

    def neighbours(self, trace: Trace, fitted: Fitted) -> float:
        """The nearest fitted questions' answerability (kb.fitted.NeighbourModel); where it does
        not apply, as for the meaning model, the average the answerability model saw."""
        model, vector = fitted.neighbours, trace.question.vector
        if model is not None and model.space == self.space:
            if model.dim != len(vector):
                raise KBError(f"kb/fitted.json: its neighbour questions have {model.dim} numbers, the question's "
                              f"vector has {len(vector)}; refit with `python -m evals.fit`")
            return model.score(np.asarray(vector))
        return _average(fitted, "neighbours")

    def _chosen(self, trace: Trace, hits: list["Hit"], catalog: "Catalog", fitted: Fitted) -> list[Unit]:
        units, probabilities = trace.candidates.units, trace.probabilities
        holds, limit = trace.candidates.holds, (self.settings.answer_max_chars, self.settings.answer_max_units)
        chosen = select(units, probabilities, holds, fitted.selection, limit)
        pointed = referred(chosen, hits, catalog)
        if pointed is not None and any(u.hit.doc_key == pointed for u in units):
            chosen = select(units, probabilities, holds, fitted.selection, limit, within=pointed)
        return chosen

    def _related(self, units: list[Unit], probabilities: np.ndarray, catalog: "Catalog") -> list[Citation]:
        """The nearest passages of distinct sections, shown as "possibly related", never as an
        answer."""
        related, sections = [], set()
        for i in np.argsort(-probabilities):
            key = (units[i].hit.doc_key, units[i].hit.chunk.meta["section"])
            if key not in sections:
                sections.add(key)
                related.append(_citation(units[i], catalog))
            if len(related) == RELATED:
                break
        return related

    def prepare(self, hits: Sequence["Hit"], catalog: "Catalog") -> None:
        """Fill the per-section and per-unit caches ahead of the first questions (what warm-up
        is for): the pinyin and word boundaries of a text are the costly part of a question."""
        for hit in hits:
            self.holding.evidence(hit.chunk.id, hit.chunk.meta["section"] + "\n" + hit.chunk.text)
            self.analyzer.canonicalize(hit.chunk.meta["section"])
            title = catalog.meta(hit.doc_key).title
            for unit in section_units(hit):
                self.analyzer.canonicalize(unit.display)
                self.answerability.unit_evidence(unit, title)


def _average(fitted: Fitted, feature: str) -> float:
    """The value of `feature` the answerability model saw on average (0 without it), which moves
    its decision neither way."""
    answerable = fitted.answerable
    if answerable is None or feature not in answerable.features:
        return 0.0
    return answerable.mean[answerable.features.index(feature)]


def probabilities(model: LinearModel | None, rows: np.ndarray, names: tuple[str, ...], fallback: str) -> np.ndarray:
    """The model's probabilities over rows whose columns are `names`; without a fitted model,
    the one feature that ranks best alone, so that a knowledge base answers before any fitting."""
    if model is None:
        return np.asarray(rows[:, names.index(fallback)])
    missing = [f for f in model.features if f not in names]
    if missing:
        raise KBError(f"kb/fitted.json: features {missing} are not computed by this version; "
                      "refit with `python -m evals.fit`")
    return model.probability(rows[:, [names.index(f) for f in model.features]])


def _citation(unit: Unit, catalog: "Catalog") -> Citation:
    meta = catalog.meta(unit.hit.doc_key)
    return Citation(doc_id=meta.doc_id, version=meta.version, title=meta.title,
                    section=unit.hit.chunk.meta["section"], quote=unit.quote)


def no_answer(related: list[Citation] | None = None) -> Answer:
    return Answer(status="no_answer", text=message("no_answer"), citations=[], related=related or [])
