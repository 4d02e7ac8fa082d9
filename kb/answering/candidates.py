"""Candidates: every sentence, list item and table row of the sections retrieved for the best few
documents, each with the features the unit model scores it on.

A feature is a measurement, never a verdict: how close the unit is to the question in meaning,
how much of the question's content it holds in its own words and with its heading, whether it
looks like the kind of answer asked for (a figure for 多少), states the question's figure or only
other values of its measure, names another alternative than the one asked (境外 asked, 境内
said), and where its chunk and document stand in the retrieval.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from kb.amounts import band_fit, without_bands
from kb.answering.evidence import Holding
from kb.answering.question import Question
from kb.figures import fit as figure_fit
from kb.text import compact
from kb.units import Unit, section_units
from kb.vocab import asking, load_yaml

if TYPE_CHECKING:
    from kb.catalog import Catalog
    from kb.retrieval import Hit

STATES_FIGURE = re.compile(asking()["states_figure"])  # a text stating a figure or its absence (免, 不限)
_FEE_ASKED = re.compile(asking()["fee_asked"])

CANDIDATE_DOCS = 4       # documents whose retrieved sections are read
SECTIONS_PER_DOC = 8     # retrieved sections read per document
LEAD_CHARS = 16

UNIT_FEATURES = (
    "dense", "dense_gap", "dense_doc_gap", "chunk_dense", "lexical", "fused", "doc_rank", "hit_rank",
    "cover", "cover_context", "cover_naming", "cover_focus", "focus_text", "lead", "typed",
    "weak_typed", "figure", "no_figure", "figure_fit", "figure_miss", "band_fit", "band_miss",
    "contradicts", "position", "length", "named", "cued", "avoided", "faq")


@dataclass
class Candidates:
    units: list[Unit]
    rows: np.ndarray               # one row of UNIT_FEATURES per unit
    docs: list[str]                # candidate document keys, best first
    holds: list[frozenset[str]]    # per unit, the question's words it holds (with its heading)


class CandidateReader:
    def __init__(self, holding: Holding, retriever_cues: Callable[[str], set[str]]):
        self.holding = holding
        self.analyzer = holding.analyzer
        self.cues = retriever_cues  # question → categories it asks for
        avoid = load_yaml("avoid_sections.yaml")
        self.avoid_headings, self.avoid_asks = re.compile(avoid["headings"]), re.compile(avoid["asks"])

    def read(self, question: Question, hits: list["Hit"], catalog: "Catalog", named: set[str]) -> Candidates:
        docs = _documents(hits)
        units = [u for hit in _sections(hits, docs) for u in section_units(hit)]
        probe = _Probe(question, self.holding, self.cues(question.canonical),
                       not self.avoid_asks.search(question.canonical),
                       bool(question.amounts or _FEE_ASKED.search(question.canonical)))
        topics = {d: probe.held(self.analyzer.canonicalize(" ".join([catalog.meta(d).title, *catalog.meta(d).products])))
                  for d in docs}
        found: list[list[float]] = []
        holds = []
        for unit in units:
            row, held = self._row(question, probe, unit, docs, hits, catalog, named, topics[unit.hit.doc_key])
            found.append(row)
            holds.append(frozenset(probe.texts[i] for i in np.flatnonzero(held)))
        rows = np.array(found, dtype=np.float64).reshape(len(units), len(UNIT_FEATURES))
        if len(units):
            dense = rows[:, 0]
            rows[:, UNIT_FEATURES.index("dense_gap")] = dense.max() - dense
            for doc in docs:
                mine = np.array([u.hit.doc_key == doc for u in units])
                if mine.any():
                    rows[mine, UNIT_FEATURES.index("dense_doc_gap")] = dense[mine].max() - dense[mine]
        return Candidates(units, rows, docs, holds)

    def _row(self, question: Question, probe: "_Probe", unit: Unit, docs: list[str], hits: list["Hit"],
             catalog: "Catalog", named: set[str], topic: np.ndarray) -> tuple[list[float], np.ndarray]:
        """The unit's features, and which of the question's words it holds (with its heading)."""
        hit = unit.hit
        meta = catalog.meta(hit.doc_key)
        text = self.analyzer.canonicalize(unit.display)
        heading = self.analyzer.canonicalize(_heading(hit, meta.title))
        in_text = probe.held(text)
        own = in_text | probe.held(heading + " " + self.analyzer.canonicalize(unit.asked))
        plain = compact(without_bands(text) if probe.bands_are_conditions else text)
        typed, weak = _typed(question, plain)
        fits = [figure_fit(f, compact(heading + text)) for f in question.figures if f.measure != "元"]
        band = band_fit(list(question.amounts), text)
        return [
            unit.dense, 0.0, 0.0, hit.dense, hit.lexical, hit.score / (hits[0].score or 1.0),
            docs.index(hit.doc_key), min(hit.rank, 20),
            probe.share(in_text), probe.share(own | topic), probe.share(own | topic, probe.naming),
            probe.share(own, ~topic), probe.share(in_text, ~topic), float(self._leads(question, text)),
            typed, weak, float(bool(re.search(r"\d", text))),
            float(question.asks_quantity and not STATES_FIGURE.search(text)),
            float(any(f is not None and f > 0 for f in fits)), float(any(f == 0 for f in fits)),
            float(bool(band)), float(band is not None and not band),
            float(self.analyzer.contrasts.contradicts(question.canonical, text)),
            min(unit.position, 10) / 10, len(unit.display) / 100,
            float(meta.doc_id in named), float(meta.category in probe.cued),
            float(probe.avoids and bool(self.avoid_headings.search(hit.chunk.meta["section"]))),
            float(bool(unit.asked))], own

    def _leads(self, question: Question, text: str) -> bool:
        """A content word of the question is what the unit names first (the label before a
        colon, a row's first cell): the unit is about it."""
        lead = re.split(r"[：:，,]", text, maxsplit=1)[0][:LEAD_CHARS]
        return any(t.text in lead for t in question.terms if not t.figure)


class _Probe:
    """The question's content words (figures aside) as holding tests them, and what it asks for,
    prepared once per question rather than once per unit: a share of the words is one product of
    weights and a mask."""

    def __init__(self, question: Question, holding: Holding, cued: set[str], avoids: bool,
                 bands_are_conditions: bool):
        self.cued = cued                                  # the categories its cue phrases ask for
        self.avoids = avoids                              # sections avoid_sections.yaml names count against a unit
        self.bands_are_conditions = bands_are_conditions  # an amount or a fee asked: a unit's bands are conditions
        words = [t for t in question.terms if not t.figure]
        self.texts = [t.text for t in words]
        self.weights = np.array([t.weight for t in words], dtype=np.float64)
        self.naming = np.array([t.naming for t in words], dtype=bool)
        self.names = [holding.names(t.text) for t in words]
        self.stated = [holding.stated.get(t.text) for t in words]

    def held(self, text: str) -> np.ndarray:
        return np.array([any(n in text for n in names) or (stated is not None and bool(stated.search(text)))
                         for names, stated in zip(self.names, self.stated)], dtype=bool)

    def share(self, held: np.ndarray, among: np.ndarray | None = None) -> float:
        """The weighted share of the words (`among` them) that `held` marks."""
        weights = self.weights if among is None else self.weights * among
        total = weights.sum()
        return float(weights @ held / total) if total else 1.0


def _documents(hits: list["Hit"]) -> list[str]:
    docs: list[str] = []
    for hit in hits:
        if hit.doc_key not in docs:
            docs.append(hit.doc_key)
    return docs[:CANDIDATE_DOCS]


def _sections(hits: list["Hit"], docs: list[str]) -> list["Hit"]:
    """The retrieved sections of the candidate documents, the best few of each."""
    taken: dict[str, int] = {}
    chosen = []
    for hit in hits:
        if hit.doc_key in docs and taken.get(hit.doc_key, 0) < SECTIONS_PER_DOC:
            taken[hit.doc_key] = taken.get(hit.doc_key, 0) + 1
            chosen.append(hit)
    return chosen


def _typed(question: Question, text: str) -> tuple[float, float]:
    """Whether the unit looks like an answer to the kind of question asked: (strongly, weakly)."""
    if question.expected is None:
        return 0.0, 0.0
    answer, weak = question.expected
    if answer.search(text):
        return 1.0, 0.0
    return 0.0, float(weak is not None and bool(weak.search(text)))


def _heading(hit: "Hit", title: str) -> str:
    """The section's own heading path; the document title heads no section of its own."""
    section = hit.chunk.meta["section"]
    return "" if section == title else section
