"""A question read once: its canonical text, its content words with what is known of each, what
kind of answer it asks for, and its vector. Every later stage reads this object instead of
analysing the question again.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from kb.amounts import question_amounts
from kb.figures import Figure, figure_of
from kb.lexicon import ECHO, EVERYDAY_WORD, Analyzer
from kb.vocab import alternation, load_yaml, read_words
from kb.vocab import asking as vocab_asking

if TYPE_CHECKING:
    from kb.speller import Speller

_ALL_CJK = re.compile(r"[\u3400-\u9fff]+")
_GRADE_ASKED = re.compile(rf"(?<![a-z0-9])([a-z]\d?\+?){alternation(vocab_asking()['grade_words'])}(?![a-z0-9])")
_LATIN = re.compile(r"[a-z][a-z .\-]*")


@dataclass(frozen=True)
class Term:
    """One content word of a question."""

    text: str
    weight: float     # its IDF over the knowledge base's documents (highest for a word none use)
    seen: bool        # some document uses it
    naming: bool      # a noun or name (what is asked about), not a verb or adverb (how it is put)
    common: bool      # an everyday word of general Chinese
    domain: bool      # a term of the domain vocabulary (kb/vocab/synonyms.yaml)
    figure: bool      # a figure with its measure (5年, 8000元)
    person: bool      # a person of the customer's story (朋友, 同事): kb/vocab/people.txt
    kind: bool        # names a kind of product (…卡, …贷): kb/vocab/kinds.txt
    alternative: bool  # one of the exclusive alternatives of kb/vocab/contrasts.yaml
    frequency: float   # log(1 + its count in jieba's dictionary of general Chinese)
    latin: bool        # written in Latin letters (Apple Pay, visa)


@dataclass(frozen=True)
class Question:
    text: str                  # as asked, slips of the input method put right
    canonical: str
    terms: tuple[Term, ...]
    own_terms: tuple[Term, ...]  # the agent's own words when the call's product was added to them
    expected: tuple[re.Pattern[str], re.Pattern[str] | None] | None  # (answer, weak) of kb/vocab/answer_types.yaml
    asks_quantity: bool        # how much, how many, how long
    asks_value: bool           # ends on a fee, rate or limit (年费？)
    yes_no: bool
    figures: tuple[Figure, ...]
    grades: frozenset[str]     # grades or tiers the question names (D级, C1类)
    amounts: tuple[float, ...]
    vector: np.ndarray


class QuestionReader:
    """Reads questions against one knowledge base (its document frequencies and vocabulary)."""

    def __init__(self, analyzer: Analyzer, idf: Callable[[str], float], seen: Callable[[str], bool],
                 speller: "Speller | None" = None):
        self.analyzer, self.idf, self.seen, self.speller = analyzer, idf, seen, speller
        asking = vocab_asking()
        self.yes_no = re.compile(asking["yes_no"])
        self.quantity = re.compile(asking["quantity"])
        self.value = re.compile(asking["value"])
        self.answer_types = [(re.compile(r["ask"]), re.compile(r["answer"]),
                              re.compile(r["weak"]) if r.get("weak") else None)
                             for r in load_yaml("answer_types.yaml")]
        self.kinds = tuple(analyzer.canonicalize(w) for w in read_words("kinds.txt"))
        self.short_kinds = tuple(k for k in self.kinds if len(k) == 1)
        self.people = frozenset(analyzer.canonicalize(w) for w in read_words("people.txt"))

    def rebound(self, idf: Callable[[str], float], seen: Callable[[str], bool],
                speller: "Speller | None") -> "QuestionReader":
        other = object.__new__(QuestionReader)
        other.__dict__.update(self.__dict__)
        other.idf, other.seen, other.speller = idf, seen, speller
        return other

    def read(self, text: str, vector: ArrayLike, own_words: str | None = None) -> Question:
        spelled = self.analyzer.spell(text, self.speller)
        canonical = self.analyzer.canonicalize(spelled)
        terms = tuple(self.term(t) for t in self.key_terms(spelled))
        own = tuple(self.term(t) for t in self.key_terms(self.analyzer.spell(own_words, self.speller))) if own_words else ()
        expected = next(((a, w) for ask, a, w in self.answer_types if ask.search(canonical)), None)
        return Question(
            text=spelled, canonical=canonical, terms=terms, own_terms=own, expected=expected,
            asks_quantity=bool(self.quantity.search(canonical)),
            asks_value=bool(self.value.search(canonical)), yes_no=bool(self.yes_no.search(canonical)),
            figures=tuple(f for f in map(figure_of, (t.text for t in terms)) if f is not None),
            grades=frozenset(m.group(1) for m in _GRADE_ASKED.finditer(canonical)),
            amounts=tuple(question_amounts(canonical)), vector=np.asarray(vector, dtype=np.float32))

    def term(self, text: str) -> Term:
        analyzer = self.analyzer
        return Term(text=text, weight=self.idf(text), seen=self.seen(text),
                    naming=analyzer.is_naming_word(text),
                    common=analyzer.general_frequency(text) >= EVERYDAY_WORD,
                    domain=analyzer.is_vocabulary(text),
                    figure=text[0].isdigit(), person=text in self.people,
                    kind=any(text.endswith(k) and len(text) > len(k) for k in self.kinds),
                    alternative=analyzer.contrasts.alternative(text),
                    frequency=float(np.log1p(analyzer.general_frequency(text))),
                    latin=bool(_LATIN.fullmatch(text)))

    def key_terms(self, text: str) -> list[str]:
        """The question's content words; an asking word (几次, 最多能) counts only if documents
        use it, and a word jieba glued to a function word (能贷, 才还) loses it."""
        terms = []
        for term in self.analyzer.key_terms(text):
            if not self.seen(term) and not self.analyzer.is_known_word(term):
                term = self._unglued(term)
            if len(term) >= 2 or term.isdigit():
                terms.append(term)
        canonical = self.analyzer.canonicalize(text)
        echoed = {m.group(1) for m in ECHO.finditer(canonical)}
        return list(dict.fromkeys(self._with_kind(t, canonical) for t in terms if not self._asks(t)
                                  and not ECHO.search(t) and not (t[0] == "不" and t[1:2] in echoed)))

    def _with_kind(self, term: str, canonical: str) -> str:
        """A word followed by a one-character kind that jieba split off (钻石 + 卡) names that
        kind of thing: 钻石卡."""
        for kind in self.short_kinds:
            if not term.endswith(kind) and term + kind in canonical:
                return term + kind
        return term

    def _asks(self, term: str) -> bool:
        """A word the question asks with (几次, 多久, 最高额), not one naming what it asks about;
        a longer word that documents use (最低还款额) names something."""
        if term in self.analyzer.question_words:
            return True
        return self.analyzer.is_question_word(term) and (len(term) <= 3 or not self.seen(term))

    def _unglued(self, term: str) -> str:
        if not _ALL_CJK.fullmatch(term):
            return term
        if term[0] in self.analyzer.stopwords:
            term = term[1:]
        return term[:-1] if term and term[-1] in self.analyzer.stopwords else term
