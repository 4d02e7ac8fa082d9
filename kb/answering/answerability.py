"""Answerability: one calibrated decision, fitted on evaluation banks (kb/fitted.json).

A near miss looks like its neighbour as a whole, so the decision reads term-level evidence, not
only similarity: which of the question's content words the chosen units hold (with their headings
and the document's names, literally, by a broader name or by sound), which only the document
holds, which no document uses at all, and of what kind each missing word is: a specific noun (a
card tier, a product, a service the bank does not describe), an everyday noun, one of exclusive
alternatives (a currency, a channel), or a verb of the customer's phrasing, which documents put
otherwise. With these: whether the answer names another alternative than the one asked, states
other values of the question's figure, or lacks the kind of figure the question asks for; how the
best unit scored and how close its meaning is, beside how near the question comes to the whole
knowledge base; whether the dense and lexical rankings agree; and
what a model fitted on other banks reads from the meaning of the question, and how often the
questions nearest it in meaning were answerable there.
"""

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, cast

import numpy as np

from kb.answering.candidates import STATES_FIGURE, UNIT_FEATURES, Candidates
from kb.answering.evidence import Evidence, Holding, char_share, pair_share
from kb.answering.question import Question, Term
from kb.figures import addressed, bounded
from kb.memo import Memo
from kb.text import compact
from kb.units import Unit

if TYPE_CHECKING:
    from kb.catalog import Catalog
    from kb.models import DocMeta
    from kb.retrieval import Hit

GROUPS = ("specific", "domain", "everyday", "person", "alternative", "phrasing")
ANSWER_FEATURES = (
    "p_best", "p_other", "dense_best", "dense_top", "chunk_dense_top", "lexical_top",
    "cover_answer", "cover_doc", *(f"unheld_answer_{g}" for g in GROUPS),
    *(f"unheld_doc_{g}" for g in GROUPS), "unseen_specific", "unseen_kind", "unheld_latin",
    "unheld_rarest", "unheld_foreign", "agree", "doc_lexical_rank", "doc_dense_rank", "contradicts",
    "figure_conflict", "figure_outside", "grade_conflict", "quantity_missing",
    "expects", "typed", "yes_no", "terms", "own_cover", "kb_mean", "kb_nearest", "kb_spread", "neighbours", "meaning")
RANK_CAP = 5


class AnswerabilityReader:
    def __init__(self, holding: Holding):
        self.holding = holding
        self.analyzer = holding.analyzer
        self._documents = Memo()

    def row(self, question: Question, cands: Candidates, probabilities: np.ndarray,
            chosen: list[Unit], hits: list["Hit"], catalog: "Catalog", meaning: float = 0.0,
            neighbours: float = 0.0) -> list[float]:
        """`meaning` and `neighbours`: the fitted vector model's log-odds (kb.fitted.VectorModel)
        and the nearest questions' answerability (kb.fitted.NeighbourModel), computed by the
        answerer, which holds the fitted models."""
        features = self.features(question, cands, probabilities, chosen, hits, catalog)
        return [features[name] for name in ANSWER_FEATURES[:-2]] + [neighbours, meaning]

    def features(self, question: Question, cands: Candidates, probabilities: np.ndarray,
                 chosen: list[Unit], hits: list["Hit"], catalog: "Catalog") -> dict[str, float]:
        doc = chosen[0].hit.doc_key
        held_answer, held_doc, doc_text = self._held(question, chosen, hits, catalog)
        unheld = [t for t in question.terms if not t.figure and not held_doc[t.text]]
        in_doc = np.array([u.hit.doc_key == doc for u in cands.units])
        text = self.analyzer.canonicalize("".join(u.display for u in chosen))
        typed = cands.rows[:, UNIT_FEATURES.index("typed")]
        chosen_rows = [i for i, u in enumerate(cands.units) if u in chosen]
        out = {
            "p_best": float(probabilities.max()),
            "p_other": float(probabilities[~in_doc].max()) if (~in_doc).any() else 0.0,
            "dense_best": max(u.dense for u in chosen), "dense_top": float(cands.rows[:, 0].max()),
            "chunk_dense_top": max(h.dense for h in hits), "lexical_top": max(h.lexical for h in hits),
            "cover_answer": _held_share(question.terms, held_answer),
            "cover_doc": _held_share(question.terms, held_doc),
            "unseen_specific": _weight(question.terms, lambda t: _group(t) == "specific" and not t.seen),
            "unseen_kind": float(any(t.kind and not t.seen for t in question.terms)),
            "unheld_latin": float(any(t.latin for t in unheld)),
            "unheld_rarest": min((t.frequency for t in unheld if t.naming), default=20.0),
            "unheld_foreign": _weight(question.terms, lambda t: t in unheld and pair_share(t.text, doc_text) < 0.5
                                      and char_share(t.text, doc_text) < 0.5),
            "agree": float(_top_doc(hits, "lexical") == _top_doc(hits, "dense")),
            "doc_lexical_rank": min(_doc_rank(hits, doc, "lexical"), RANK_CAP),
            "doc_dense_rank": min(_doc_rank(hits, doc, "dense"), RANK_CAP),
            "contradicts": float(self.analyzer.contrasts.contradicts(question.canonical, text)),
            **self._figure_conflicts(question, chosen, catalog),
            "grade_conflict": float(_grade_conflict(question, chosen)),
            "quantity_missing": float(question.asks_quantity and not question.yes_no
                                      and not STATES_FIGURE.search(text)),
            "expects": float(question.expected is not None),
            "typed": float(typed[chosen_rows].max()) if chosen_rows else 0.0,
            "yes_no": float(question.yes_no), "terms": float(len(question.terms)),
            "own_cover": self._own_cover(question, chosen, hits),
            **_backdrop(hits)}
        for group in GROUPS:
            out[f"unheld_answer_{group}"] = _unheld_weight(question.terms, group, held_answer)
            out[f"unheld_doc_{group}"] = _unheld_weight(question.terms, group, held_doc)
        return out

    def _held(self, question: Question, chosen: list[Unit], hits: list["Hit"],
              catalog: "Catalog") -> tuple[dict[str, bool], dict[str, bool], str]:
        """Which terms the answer holds (its units with their headings, and the document's
        names), and which the document's retrieved sections hold. A phrase asking for the
        document's kind (原文 of a disclosure, 话术 of a script) is held by a document of it."""
        meta = catalog.meta(chosen[0].hit.doc_key)
        names = self.holding.evidence(meta.key, _names(meta))
        answer = [names] + [self.unit_evidence(u, meta.title) for u in chosen]
        cued = self.analyzer.category_cues.get(meta.category, frozenset())
        held_answer = {t.text: t.text in cued or self.holding.mentions(t.text, answer) for t in question.terms}
        document = [names] + self._sections(chosen[0].hit.doc_key, hits)
        held_doc = {t.text: held_answer[t.text] or self.holding.mentions(t.text, document)
                    for t in question.terms}
        return held_answer, held_doc, "\n".join(p.text for p in document)

    def _sections(self, doc: str, hits: list["Hit"]) -> list[Evidence]:
        return [self.holding.evidence(h.chunk.id, h.chunk.meta["section"] + "\n" + h.chunk.text)
                for h in hits if h.doc_key == doc][:10]

    def _own_cover(self, question: Question, chosen: list[Unit], hits: list["Hit"]) -> float:
        """For a follow-up read with the call's product: how much of the agent's own words the
        document holds (the product alone must not carry an unrelated question)."""
        if not question.own_terms:
            return 1.0
        pieces = self._sections(chosen[0].hit.doc_key, hits)
        return _held_share(question.own_terms, {t.text: self.holding.mentions(t.text, pieces)
                                                for t in question.own_terms})

    def unit_evidence(self, unit: Unit, title: str) -> Evidence:
        section = unit.hit.chunk.meta["section"]
        heading = "" if section == title else section
        return self.holding.evidence(f"{unit.hit.chunk.id}/{unit.position}",
                                     "\n".join([heading, unit.asked, unit.display]))

    def _figure_conflicts(self, question: Question, chosen: list[Unit], catalog: "Catalog") -> dict[str, float]:
        """A figure of the question that the answer's sections (or, where they state nothing of
        its measure, the document) state other values of: `figure_conflict` where they list
        values (5年期 asked, rows of 1, 2 and 3 years: a term not offered), `figure_outside`
        where they give a span or bound it falls outside (56岁 against 22至55周岁: a rule that
        answers "no")."""
        conflict = outside = False
        if question.figures:
            sections = compact("\n".join(self.analyzer.canonicalize(u.hit.chunk.meta["section"] + "\n" + u.hit.chunk.text)
                                         for u in chosen))
            for figure in question.figures:
                text, fit = sections, addressed(figure, sections)
                if fit is None:
                    text = self._document_text(chosen[0].hit.doc_key, catalog)
                    fit = addressed(figure, text)
                if fit is False:
                    ruled = bounded(figure, text)
                    outside, conflict = outside or ruled, conflict or not ruled
        return {"figure_conflict": float(conflict), "figure_outside": float(outside)}

    def _document_text(self, doc: str, catalog: "Catalog") -> str:
        """The document's names and body, canonical and compact, once per content."""
        record = catalog.by_key[doc]
        return cast(str, self._documents.get(f"{doc}:{record.content_hash}", lambda _key: compact(
            self.analyzer.canonicalize("\n".join([record.meta.title, *record.meta.products, record.body])))))


def _backdrop(hits: list["Hit"]) -> dict[str, float]:
    """How near the question comes to the knowledge base as a whole (kb.retrieval.Backdrop)."""
    backdrop = hits[0].backdrop
    return {"kb_mean": backdrop.mean, "kb_nearest": backdrop.nearest, "kb_spread": backdrop.spread}


def _group(term: Term) -> str:
    """What kind of word a content word is, for how much its absence says."""
    if term.alternative:
        return "alternative"
    if term.person:
        return "person"
    if term.domain:
        return "domain"
    if not term.naming:
        return "phrasing"
    return "everyday" if term.common else "specific"


_GRADE = re.compile(r"[a-z]\d?\+?")


def _grade_conflict(question: Question, chosen: list[Unit]) -> bool:
    """A grade the question names (D级, C1) that the answer's tables do not list among the
    grades they do list (A, B, C)."""
    if not question.grades:
        return False
    listed = {line.strip().strip("|").split("|")[0].strip().lower()
              for u in chosen for line in u.hit.chunk.text.splitlines() if line.strip().startswith("|")}
    listed = {cell for cell in listed if _GRADE.fullmatch(cell)}
    return bool(listed) and not question.grades & listed


def _weight(terms: Iterable[Term], chosen: Callable[[Term], bool]) -> float:
    """The IDF-weighted share of the question's words (figures aside) that `chosen` picks."""
    words = [t for t in terms if not t.figure]
    total = sum(t.weight for t in words)
    return sum(t.weight for t in words if chosen(t)) / total if total else 0.0


def _unheld_weight(terms: Iterable[Term], group: str, held: dict[str, bool]) -> float:
    """The weighted share of the question's words of this kind that `held` says are missing."""
    return _weight(terms, lambda t: _group(t) == group and not held[t.text])


def _held_share(terms: Iterable[Term], held: dict[str, bool]) -> float:
    words = [t for t in terms if not t.figure]
    return _weight(words, lambda t: held[t.text]) if words else 1.0


def _top_doc(hits: list["Hit"], signal: str) -> str | None:
    best = max(hits, key=lambda h: getattr(h, signal), default=None)
    return best.doc_key if best is not None else None


def _doc_rank(hits: list["Hit"], doc: str, signal: str) -> int:
    ranked: list[str] = []
    for hit in sorted(hits, key=lambda h: getattr(h, signal), reverse=True):
        if hit.doc_key not in ranked:
            ranked.append(hit.doc_key)
    return ranked.index(doc) if doc in ranked else RANK_CAP


def _names(meta: "DocMeta") -> str:
    """What a document names as its subject: title, products and, for a script, the situations
    it serves (客户情绪激动), which its body need not repeat."""
    return " ".join([meta.title, *meta.products, *meta.intents])
