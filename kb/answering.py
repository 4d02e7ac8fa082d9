"""Extractive answers: the one to three sentences, list items or table rows that answer best.

No language model is called. Before answering, the evidence must cover the question's key terms
(IDF-weighted, allowing homophone typos); a product, feature or figure that no retrieved section
mentions makes the answer `no_answer` rather than a neighbouring document's facts.
"""

import copy
import re
from kb.amounts import band_fit, question_amounts
from kb.config import Settings
from kb.lexicon import Analyzer
from kb.memo import Memo
from kb.models import Answer, Citation
from kb.retrieval import Hit
from kb.text import normalize
from kb.units import Unit, section_units
from kb.vocab import load_yaml

ANSWER_TYPE_BOOST = 1.5
NEAR_TIE = 0.7
TOPIC_FACTOR = 0.1
SECTION_FACTOR = 1.0
POSITION_DECAY = 0.03
BAND_BOOST, BAND_MISS = 1.0, 0.7
EVERYDAY_FREQUENCY = 1000
EVERYDAY_FACTOR = 0.25
PHRASING_FACTOR = 0.35
NO_ANSWER_TEXT = "知识库中没有可以回答这个问题的内容。请勿猜测，可告知客户核实后回复或转交相关岗位。"
_END = "。！？；!?;"
_ALL_CJK = re.compile(r"[\u3400-\u9fff]+")
_AMOUNT = re.compile(r"\d+(?:\.\d+)?(?:%|[万千百]?[元块]|[万千百]|周?岁)?|1\D{1,3}")


class Answerer:
    def __init__(self, analyzer: Analyzer, idf, seen, settings: Settings):
        self.answer_types = load_answer_types()
        self.avoid = {k: re.compile(v) for k, v in load_yaml("avoid_sections.yaml").items()}
        self._evidence_cache = Memo()
        self._token_cache = Memo()
        self.analyzer = analyzer
        self.idf = idf
        self.seen = seen
        self.settings = settings

    def rebound(self, idf, seen) -> "Answerer":
        """The same answerer over a grown index: its per-section caches stay valid (chunk ids
        carry their content hash), so they are shared rather than filled again."""
        other = copy.copy(self)
        other.idf, other.seen = idf, seen
        return other

    def answer(self, query: str, hits: list[Hit], catalog, own_words: str | None = None) -> Answer:
        """`own_words`: what the agent typed, when `query` adds the call's product to it; the
        evidence must cover both, so the product alone cannot carry an unrelated question."""
        if not hits or hits[0].score < self.settings.min_score:
            return no_answer()
        terms = self.key_terms(query)
        evidence_hits = [h for h in hits[:10] if h.doc_key == hits[0].doc_key]
        for asked in (terms, self.key_terms(own_words) if own_words else []):
            if self.coverage(asked, evidence_hits, catalog) < self.settings.min_coverage:
                return no_answer()
        units = self.pick_units(query, terms, evidence_hits[:5], catalog)
        if not units:
            return no_answer()
        return Answer(status="answered", text=_join(u.display for u in units),
                      citations=[self._citation(u, catalog) for u in units])

    def key_terms(self, query: str) -> list[str]:
        """The question's content words; an asking word (几次, 最多能) counts only if documents use it."""
        terms = []
        for term in self.analyzer.key_terms(query):
            if not self.seen(term) and term[0] in self.analyzer.stopwords:
                term = term[1:]  # 能贷, 才还: a modal word glued to a verb by jieba
            if len(term) >= 2 or term.isdigit():
                terms.append(term)
        return [t for t in terms if t not in self.analyzer.question_words
                and not (self.analyzer.is_question_word(t) and not self.seen(t))]

    def coverage(self, terms: list[str], hits: list[Hit], catalog) -> float:
        """IDF-weighted share of the key terms that the evidence mentions (or sounds like)."""
        if not terms:
            return 1.0
        meta = catalog.meta(hits[0].doc_key)
        pieces = [self._evidence(meta.key, " ".join([meta.title, *meta.products]))]
        pieces += [self._evidence(h.chunk.id, h.chunk.meta["section"] + "\n" + h.chunk.text) for h in hits]
        evidence = "\n".join(text for text, _ in pieces)
        spoken = "".join(sounds for _, sounds in pieces)
        weights = {t: self.term_weight(t) for t in terms}
        covered = sum(w for t, w in weights.items() if self._mentions(t, evidence, spoken))
        return covered / (sum(weights.values()) or 1.0)

    def prepare(self, hits: list[Hit], catalog) -> None:
        """Fill the per-section caches ahead of the first questions (what warm-up is for)."""
        for hit in hits:
            self._evidence(hit.chunk.id, hit.chunk.meta["section"] + "\n" + hit.chunk.text)
            self._tokens(hit.chunk.meta["section"])
            for unit in section_units(hit):
                self._tokens(unit.display)
                self.analyzer.canonicalize(unit.display)
        for key in {h.doc_key for h in hits}:
            meta = catalog.meta(key)
            self._evidence(meta.key, " ".join([meta.title, *meta.products]))

    def _evidence(self, key: str, raw: str) -> tuple[str, str]:
        """Canonical text and pinyin (of the canonical and of the written form) of a piece of
        evidence, computed once per chunk: pinyin of long text is the costly part of a question."""
        def compute(_key: str) -> tuple[str, str]:
            canonical = self.analyzer.canonicalize(raw)
            sounds = self.analyzer.pinyin_text(canonical) + self.analyzer.pinyin_text(normalize(raw), canonical=False)
            return canonical, sounds

        return self._evidence_cache.get(key, compute)

    def term_weight(self, term: str) -> float:
        """How much a key term matters: its IDF (the customer's own figures, an amount such as
        8000元, an age, or 一天/一年, are conditions to apply, not facts to find, so they weigh little); a word no document uses weighs most, unless it is
        an everyday word (孩子, 朋友) that questions use and documents need not, or a fragment
        that jieba made up from colloquial text (办张, 起买) and no dictionary knows."""
        if _AMOUNT.fullmatch(term):
            return self.idf(term) * EVERYDAY_FACTOR
        phrasing = 1.0 if self.analyzer.is_naming_word(term) else PHRASING_FACTOR
        if self.seen(term):
            return self.idf(term) * phrasing
        frequency = self.analyzer.general_frequency(term)
        if self.analyzer.is_vocabulary(term):
            return self.idf(term) * phrasing
        if frequency >= EVERYDAY_FREQUENCY or (frequency == 0 and _ALL_CJK.fullmatch(term)):
            return self.idf(term) * EVERYDAY_FACTOR
        return self.idf(term) * phrasing

    def _mentions(self, term: str, evidence: str, spoken: str) -> bool:
        """Exact, by sound for an all-Chinese term (年废 ~ 年费), or by most of its character pairs
        for a longer one."""
        if term in evidence:
            return True
        if _ALL_CJK.fullmatch(term) and self.analyzer.pinyin_text(term) in spoken:
            return True
        if len(term) >= 3:
            pairs = [term[i:i + 2] for i in range(len(term) - 1)]
            return sum(p in evidence for p in pairs) / len(pairs) >= 0.67
        return False

    def pick_units(self, query: str, terms: list[str], hits: list[Hit], catalog) -> list[Unit]:
        """Greedy over the best document's sections: the best unit, then units that add key terms
        the answer does not hold yet, or that score nearly as well (a second row of a table)."""
        meta = catalog.meta(hits[0].doc_key)
        topic = self.analyzer.canonicalize(" ".join([meta.title, *meta.products]))
        terms = [t for t in terms if t not in topic]
        weights = self._focus_weights(query, set(self.analyzer.tokens(topic)))
        expected = self._expected_answer(query)
        amounts = question_amounts(self.analyzer.canonicalize(query))
        avoid = None if self.avoid["asks"].search(self.analyzer.canonicalize(query)) else self.avoid["headings"]
        candidates = []
        for rank, hit in enumerate(hits):
            if avoid is not None and avoid.search(hit.chunk.meta["section"]):
                continue
            for unit in section_units(hit):
                unit.score = self._unit_score(unit, weights) * (1.0 - 0.15 * rank)
                fit = band_fit(amounts, self.analyzer.canonicalize(unit.display))
                if fit is not None:
                    unit.score *= 1.0 + BAND_BOOST * fit if fit else BAND_MISS
                if expected is not None and expected.search(self.analyzer.canonicalize(unit.display)):
                    unit.score *= ANSWER_TYPE_BOOST
                candidates.append(unit)
        candidates.sort(key=lambda u: u.score, reverse=True)
        if not candidates or candidates[0].score <= 0:
            return []
        chosen = [candidates[0]]
        held = self._terms_in(terms, chosen[0].display)
        for unit in candidates[1:]:
            if len(chosen) == 3 or unit.score < 0.35 * chosen[0].score:
                break
            new_terms = self._terms_in(terms, unit.display) - held
            near_tie = unit.score >= NEAR_TIE * chosen[0].score and unit.hit is chosen[0].hit
            length = sum(len(u.display) for u in chosen) + len(unit.display)
            if (new_terms or near_tie) and length <= self.settings.answer_max_chars:
                chosen.append(unit)
                held |= new_terms
        return sorted(chosen, key=lambda u: (hits.index(u.hit), u.position))

    def _focus_weights(self, query: str, topic_tokens: set[str]) -> dict[str, float]:
        """Query tokens weighted by IDF; those naming the document's own topic count less, since
        every sentence of the document shares them and they cannot tell one from another."""
        return {t: w * self.idf(t) * (TOPIC_FACTOR if t in topic_tokens else 1.0)
                for t, w in self.analyzer.weighted_tokens(query).items()}

    def _expected_answer(self, query: str) -> re.Pattern | None:
        canonical = self.analyzer.canonicalize(query)
        return next((answer for ask, answer in self.answer_types if ask.search(canonical)), None)

    def _tokens(self, text: str) -> frozenset[str]:
        return self._token_cache.get(text, lambda t: frozenset(self.analyzer.tokens(t)))

    def _unit_score(self, unit: Unit, weights: dict[str, float]) -> float:
        tokens = self._tokens(unit.display)
        context = self._tokens(unit.hit.chunk.meta["section"]) - tokens
        own = sum(weights.get(t, 0.0) for t in tokens)
        matched = own + SECTION_FACTOR * sum(weights.get(t, 0.0) for t in context)
        return matched * (1.0 - POSITION_DECAY * min(unit.position, 10)) / (1.0 + len(unit.display) / 150)

    def _terms_in(self, terms: list[str], text: str) -> set[str]:
        canonical = self.analyzer.canonicalize(text)
        return {t for t in terms if t in canonical}

    def _citation(self, unit: Unit, catalog) -> Citation:
        meta = catalog.meta(unit.hit.doc_key)
        return Citation(doc_id=meta.doc_id, version=meta.version, title=meta.title,
                        section=unit.hit.chunk.meta["section"], quote=unit.quote)


def load_answer_types() -> list[tuple[re.Pattern, re.Pattern]]:
    rules = load_yaml("answer_types.yaml")
    return [(re.compile(r["ask"]), re.compile(r["answer"])) for r in rules]


def no_answer() -> Answer:
    return Answer(status="no_answer", text=NO_ANSWER_TEXT, citations=[])


def _join(parts) -> str:
    text = ""
    for part in parts:
        part = part.strip()
        text += part if part[-1] in _END else part + "；"
    return text[:-1] + "。" if text.endswith("；") else text
