"""Checks an agent's draft reply before it is said: forbidden phrases, and wealth answers that
leave out their risk disclosure. The phrases are data (kb/vocab/forbidden_phrases.yaml,
kb/vocab/risk_phrases.yaml)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from kb.messages import joined, message
from kb.models import Alert, SourceDocument
from kb.phrasing import PhrasingModel
from kb.text import normalize_for_match, occurrences, split_sentences
from kb.vocab import load_checked, load_yaml

_RISK = load_checked("risk_phrases.yaml", lists=("phrases", "wealth_words", "wealth_categories", "negations"),
                     mappings=("same_words",))
_SAME = str.maketrans({str(k): str(v) for k, v in _RISK["same_words"].items()})
WEALTH_CATEGORIES = frozenset(_RISK["wealth_categories"])
NEGATIONS: tuple[str, ...] = tuple(_RISK["negations"])
NEGATION_REACH = int(_RISK["negation_reach"])
MIN_SENTENCE = int(_RISK["quote_min_chars"])


@dataclass(frozen=True)
class PhraseRule:
    code: str
    level: Literal["info", "warning", "critical"]
    message: str
    phrases: tuple[str, ...]
    unless_categories: frozenset[str] = frozenset()
    unless_words: tuple[str, ...] = ()

    def allowed(self, text: str, categories: set[str], wealth_words: tuple[str, ...]) -> bool:
        """True when the draft is about a product that does carry what the phrase says (保本 of a
        deposit), and about no wealth product: a promise likened to a deposit (跟存定期一个样，本钱
        少不了) while a wealth product is discussed is that product's."""
        if categories & WEALTH_CATEGORIES or any(w in text for w in wealth_words):
            return False
        return bool(self.unless_categories & categories) or any(w in text for w in self.unless_words)

    def found_in(self, text: str) -> bool:
        """Whether the text says one of the phrases (您 and 你 alike)."""
        return self.longest_in(text) > 0

    def longest_in(self, text: str) -> int:
        """The length of the longest phrase the text says (您 and 你 alike), 0 for none."""
        text = text.translate(_SAME)
        return max((len(p) for p in self.phrases if _asserted(text, p.translate(_SAME))), default=0)


def _asserted(text: str, phrase: str) -> bool:
    return any(not any(n in text[max(0, start - NEGATION_REACH):start] for n in NEGATIONS)
               for start in occurrences(phrase, text))


class DraftChecker:
    def __init__(self, rules: list[PhraseRule], risk_phrases: tuple[str, ...],
                 wealth_words: tuple[str, ...], phrasing: PhrasingModel | None = None,
                 embed: Callable[[str], list[float]] | None = None):
        """`phrasing` and `embed`: the fitted model of forbidden phrasing in free wording and the
        embedding it reads (without them, the literal phrases only)."""
        self.rules = rules
        self.risk_phrases = risk_phrases
        self.wealth_words = wealth_words
        self.meant: Callable[[str], set[str]] | None = None
        if phrasing is not None and embed is not None:
            self.meant = lambda raw: phrasing.codes_said(raw, embed, self.literal) | self.bare(raw, phrasing.min_chars)

    def literal(self, raw: str) -> set[str]:
        """The kinds whose literal phrases `raw` says."""
        text = normalize_for_match(raw)
        return {r.code for r in self.rules if r.found_in(text)}

    def bare(self, raw: str, least: int) -> set[str]:
        """The kinds whose literal phrase is nearly a whole sentence of `raw`, fewer than `least`
        other characters (这不归我管。): no words around it deny it, so no model is asked."""
        texts = [normalize_for_match(sentence) for sentence in PhrasingModel.sentences_of(raw)]
        return {r.code for r in self.rules for text in texts if (n := r.longest_in(text)) and len(text) - n < least}

    def forbidden(self, raw: str, categories: set[str]) -> list[Alert]:
        """The kinds of forbidden phrasing `raw` says, literally or in its own words, unless the
        product it is about carries what the phrase says (保本 of a deposit). With the model, each
        sentence's literal phrases are heard only where the model does not deny their kind."""
        text = normalize_for_match(raw)
        said = self.literal(raw) if self.meant is None else self.meant(raw)
        return [Alert(code=r.code, level=r.level, message=r.message) for r in self.rules
                if r.code in said and not r.allowed(text, categories, self.wealth_words)]

    @classmethod
    def load(cls, phrasing: PhrasingModel | None = None,
             embed: Callable[[str], list[float]] | None = None) -> "DraftChecker":
        rules = [PhraseRule(code=r["code"], level=r["level"], message=r["message"],
                            phrases=tuple(normalize_for_match(p) for p in r["phrases"]),
                            unless_categories=frozenset(r.get("unless_categories", [])),
                            unless_words=tuple(normalize_for_match(w) for w in r.get("unless_words", [])))
                 for r in load_yaml("forbidden_phrases.yaml")]
        return cls(rules, tuple(normalize_for_match(p) for p in _RISK["phrases"]),
                   tuple(normalize_for_match(w) for w in _RISK["wealth_words"]), phrasing, embed)

    def check(self, draft: str, named: list[SourceDocument],
              live: dict[str, SourceDocument]) -> list[Alert]:
        """Alerts for `draft`, given the live documents it names and all live documents."""
        alerts = self.forbidden(draft, {d.meta.category for d in named})
        return alerts + self.missing_disclosures(normalize_for_match(draft), named, live)

    def missing_disclosures(self, text: str, named: list[SourceDocument],
                            live: dict[str, SourceDocument]) -> list[Alert]:
        if any(p in text for p in self.risk_phrases):
            return []
        wealth = [d for d in named if d.meta.category == "wealth"]
        alerts = []
        for doc in wealth:
            listed = [live[ref] for ref in doc.meta.disclosures if ref in live]
            if not any(_quotes(text, disclosure) for disclosure in listed):
                names = joined(message("missing_disclosure_named", title=d.meta.title) for d in listed)
                alerts.append(Alert(code="missing_risk_disclosure", level="critical", doc_id=doc.meta.doc_id,
                                    message=message("missing_disclosure_of", title=doc.meta.title,
                                                    names=names or message("missing_disclosure_any"))))
        if not wealth and any(w in text for w in self.wealth_words):
            alerts.append(Alert(code="missing_risk_disclosure", level="critical",
                                message=message("missing_wealth_disclosure")))
        return alerts


def _quotes(text: str, disclosure: SourceDocument) -> bool:
    sentences = (normalize_for_match(s) for s in split_sentences(disclosure.body))
    return any(len(s) >= MIN_SENTENCE and s in text for s in sentences)
