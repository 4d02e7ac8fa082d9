"""Extractive answers: the one to three sentences, list items or table rows that answer best.

No language model is called. Answerability is decided twice: the best document's evidence must
cover the question's key terms (IDF-weighted, allowing homophone typos), and then the chosen
sentences themselves must, without naming another alternative, figure or grade than the one asked;
a product, feature or figure the knowledge base does not hold makes the answer `no_answer` rather
than a neighbouring document's or row's facts.
"""

import copy
import re
from typing import NamedTuple

from kb.amounts import amount_of, band_fit, question_amounts, states_amount, without_bands
from kb.config import Settings
from kb.figures import addressed, figure_of
from kb.figures import fit as figure_fit
from kb.lexicon import ECHO, Analyzer
from kb.memo import Memo
from kb.models import Answer, Citation
from kb.retrieval import Hit
from kb.text import compact, normalize
from kb.units import Unit, section_units
from kb.vocab import load_yaml, read_words

ANSWER_TYPE_BOOST, WEAK_ANSWER_BOOST = 2.0, 1.5
ADD_FLOOR = 0.3
TOPIC_FACTOR = 0.5
LEAD_HOLD, HEADING_HOLD, TOPIC_HOLD, PARTIAL_HOLD, FACET_HOLD = 1.5, 0.8, 0.5, 0.6, 0.8
LEAD_CHARS = 16
CHAR_WEIGHT, ASKING_WEIGHT = 0.25, 0.6
RANK_DECAY = 0.1
CONTENDER_RATIO, CONTENDER_MARGIN, MAX_CONTENDERS = 0.85, 1.3, 3
ANSWER_SECTIONS = 10
RANK_FLOOR = 5
SIBLING_FACTOR = 0.5
CONTRAST_FACTOR = 0.5
POSITION_DECAY = 0.03
BAND_BOOST, BAND_MISS = 1.0, 0.7
FIGURE_BOOST, FIGURE_MISS = 1.0, 0.6
EVERYDAY_FACTOR = 0.25
UNKNOWN_FACTOR = 0.25
VOCABULARY_FACTOR = 0.4
PERIOD_FACTOR = 0.05
PHRASING_FACTOR = 0.35
NO_ANSWER_TEXT = "知识库中没有可以回答这个问题的内容。请勿猜测，可告知客户核实后回复或转交相关岗位。"
_END = "。！？；!?;"
_ALL_CJK = re.compile(r"[\u3400-\u9fff]+")
_YES_NO = re.compile(r"[吗么嘛否]\W*$|(.)不\1|能不能|可不可以|是不是|有没有|会不会|要不要")
_ASKS_QUANTITY = re.compile(r"几|多少|多久|多长|多高|多大|多远|什么时候|何时")
_ASKS_VALUE = re.compile(r"(利率|费率|息率|利息|年费|手续费|收费|费用|额度|限额|上限|下限|起点|金额|价格|收益率?|年化)\W*$")
_QUANTITY = re.compile(r"\d|免|不收|不限")
_REFERENCE = re.compile(r"(?:见|按|依照|参照)(?:本行)?《([^》]+)》")
_GRADE = re.compile(r"[a-z]\d?\+?")
_GRADE_ASKED = re.compile(r"(?<![a-z0-9])([a-z]\d?\+?)(?:级|类|档)(?![a-z0-9])")
_PER_PERIOD = re.compile(r"1个?(?:天|日|周|星期|月|年)")
_AMOUNT = re.compile(r"\d+(?:\.\d+)?(?:%|[万千百]?[元块]|[万千百]|周?岁)?|1\D{1,3}")


class Evidence(NamedTuple):
    text: str                # canonical
    sounds: str              # pinyin, word by word (" nian fei | biao zhun |")
    bounds: frozenset[int]   # offsets where a word of `text` starts or ends


class Answerer:
    def __init__(self, analyzer: Analyzer, idf, seen, settings: Settings):
        self.answer_types = load_answer_types()
        self.avoid = {k: re.compile(v) for k, v in load_yaml("avoid_sections.yaml").items()}
        self.broader = analyzer.broader
        self.contrasts = analyzer.contrasts
        self.kinds = tuple(analyzer.canonicalize(w) for w in read_words("kinds.txt"))
        self.people = frozenset(analyzer.canonicalize(w) for w in read_words("people.txt"))
        self.stated = {analyzer.canonicalize(t): re.compile(p) for t, p in load_yaml("stated.yaml").items()}
        self.facets = tuple(read_words("facets.txt"))
        self.cues = analyzer.category_cues
        self._facet_cache = Memo()
        self._evidence_cache = Memo()
        self._document_cache = Memo()
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
        query, own_words = self.analyzer.spell(query), own_words and self.analyzer.spell(own_words)
        terms = self.key_terms(query)
        asked = [terms, self.key_terms(own_words) if own_words else []]
        best, best_score, best_typed = [], 0.0, False
        expected = self._expected_answer(query)
        for doc_key, prior in self._contenders(hits):
            units = self._units_of(doc_key, query, asked, hits[:10], catalog)
            if units is None:
                if doc_key == hits[0].doc_key:
                    return no_answer()  # a neighbour may not answer what the best match cannot
                continue
            score = prior * max((u.score for u in units), default=0.0)
            typed = any(self._answer_type_boost(expected, u.display) > 1.0 for u in units)
            margin = CONTENDER_MARGIN if best and (best_typed or not typed) else 1.0
            if units and score > best_score * margin:
                best, best_score, best_typed = units, score, typed
        referred = self._referred(best, hits, catalog)
        if referred is not None:
            best = self._units_of(referred, query, asked, hits, catalog) or best
        if not best or not self._answers(query, terms, best, catalog):
            return no_answer()
        return Answer(status="answered", text=_join(u.display for u in best),
                      citations=[self._citation(u, catalog) for u in best])

    def _units_of(self, doc_key: str, query: str, asked: list[list[str]], hits: list[Hit], catalog) -> list[Unit] | None:
        """The units a document answers with, or None when its evidence among `hits` does not
        cover the question (and the agent's own words)."""
        evidence = [h for h in hits if h.doc_key == doc_key][:ANSWER_SECTIONS]
        if not evidence or any(self.coverage(a, evidence, catalog) < self.settings.min_coverage for a in asked):
            return None
        return self.pick_units(query, asked[0], evidence, catalog)

    @staticmethod
    def _referred(units: list[Unit], hits: list[Hit], catalog) -> str | None:
        """The document in force that the best unit refers the reader to for the facts
        (跨境汇款收费另见《跨境汇款手续费标准》), which answers better than the pointer to it."""
        if not units:
            return None
        best = max(units, key=lambda u: u.score)
        titles = {normalize(catalog.meta(h.doc_key).title): h.doc_key for h in hits}
        return next((titles[title] for title in _REFERENCE.findall(normalize(best.display))
                     if title in titles and titles[title] != best.hit.doc_key), None)

    def _answers(self, query: str, terms: list[str], units: list[Unit], catalog) -> bool:
        """Whether the chosen units answer what was asked, not just the document around them:
        with their headings and the document's names they must hold the question's terms
        (a figure the customer states is a condition, not something to find) and the best one
        must not be about another alternative than the one asked (境外 asked, 国内 said), nor
        the document offer only other alternatives (欧元 asked, 人民币 and 美元 offered); a
        question asking how much, how many or how long needs a figure (or a word saying there
        is none to pay or no limit), and a figure the question names must not be one the
        knowledge base offers only other values of (5年期 against rows of 1, 2 and 3 years), nor a
        grade one that its tables do not list (D级 against A, B and C)."""
        canonical = self.analyzer.canonicalize(query)
        meta = catalog.meta(units[0].hit.doc_key)
        topic = _names(meta)
        contexts = [self.analyzer.canonicalize("\n".join([u.display, u.asked, self._heading(u.hit, meta.title)]))
                    for u in units]
        cued = self.cues.get(meta.category, ())
        asked = [t for t in terms if not t[0].isdigit()]
        if asked:
            together = "\n".join([*contexts, self.analyzer.canonicalize(topic)])
            held = {t: 1.0 if t in cued else min(1.0, self._held(t, together, "", "")) for t in asked}
            if self._share(held) < self.settings.min_answer_coverage:
                return False
        best = max(range(len(units)), key=lambda i: units[i].score)
        if self.contrasts.contradicts(canonical, contexts[best]) or self.contrasts.contradicts(
                canonical, self._document_text(units[0].hit.doc_key, catalog)):
            return False
        if _YES_NO.search(canonical) or not (_ASKS_QUANTITY.search(canonical) or _ASKS_VALUE.search(canonical)):
            return True
        text = self.analyzer.canonicalize("".join(u.display for u in units))
        if _ASKS_QUANTITY.search(canonical) and not _QUANTITY.search(text):
            return False
        return self._figures_fit(terms, units, catalog) and _grades_fit(canonical, units)

    def _document_text(self, doc_key: str, catalog) -> str:
        """A document's names and body, canonical, computed once per content."""
        def compute(_key: str) -> str:
            doc = catalog.by_key[doc_key]
            return self.analyzer.canonicalize("\n".join([doc.meta.title, *doc.meta.products, doc.body]))

        return self._document_cache.get(f"{doc_key}:{catalog.by_key[doc_key].content_hash}", compute)

    def _figures_fit(self, terms: list[str], units: list[Unit], catalog) -> bool:
        """No figure of the question is contradicted by the answer's sections, or, where they
        name nothing of its measure, by the document."""
        figures = [f for f in map(figure_of, terms) if f is not None]
        if not figures:
            return True
        sections = compact("\n".join(self.analyzer.canonicalize(u.hit.chunk.meta["section"] + "\n" + u.hit.chunk.text)
                                      for u in units))
        document = None
        for figure in figures:
            fit = addressed(figure, sections)
            if fit is None:
                document = document or compact(self._document_text(units[0].hit.doc_key, catalog))
                fit = addressed(figure, document)
            if fit is False:
                return False
        return True

    @staticmethod
    def _contenders(hits: list[Hit]) -> list[tuple[str, float]]:
        """The best document, and those retrieved nearly as well, each with its retrieval score
        relative to the best: a close second whose text answers far better is the answer."""
        top, out = hits[0].score, {}
        for hit in hits[:10]:
            if hit.doc_key not in out and hit.score >= CONTENDER_RATIO * top:
                out[hit.doc_key] = hit.score / top
        return list(out.items())[:MAX_CONTENDERS]

    def key_terms(self, query: str) -> list[str]:
        """The question's content words; an asking word (几次, 最多能) counts only if documents use it."""
        terms = []
        for term in self.analyzer.key_terms(query):
            if not self.seen(term) and not self.analyzer.is_known_word(term):
                term = self._unglued(term)
            if len(term) >= 2 or term.isdigit():
                terms.append(term)
        echoed = {m.group(1) for m in ECHO.finditer(self.analyzer.canonicalize(query))}
        return [t for t in terms if not self._asks(t) and not ECHO.search(t)
                and not (t[0] == "不" and t[1:2] in echoed)]

    def _asks(self, term: str) -> bool:
        """A word the question asks with (几次, 多久, 最高额), not one naming what it asks about;
        a longer word that documents use (最低还款额) names something."""
        if term in self.analyzer.question_words:
            return True
        return self.analyzer.is_question_word(term) and (len(term) <= 3 or not self.seen(term))

    def _unglued(self, term: str) -> str:
        """A word jieba made up by gluing a function word to a verb (能贷, 才还, 换张) without it."""
        if not _ALL_CJK.fullmatch(term):
            return term
        if term[0] in self.analyzer.stopwords:
            term = term[1:]
        return term[:-1] if term and term[-1] in self.analyzer.stopwords else term

    def coverage(self, terms: list[str], hits: list[Hit], catalog) -> float:
        """IDF-weighted share of the key terms that the evidence mentions (or sounds like); a
        phrase asking for the document's kind (原文 of a disclosure, 话术 of a script) is covered."""
        if not terms:
            return 1.0
        meta = catalog.meta(hits[0].doc_key)
        pieces = [self._evidence(meta.key, _names(meta))]
        pieces += [self._evidence(h.chunk.id, h.chunk.meta["section"] + "\n" + h.chunk.text) for h in hits]
        cued = self.cues.get(meta.category, ())
        return self._share({t: float(t in cued or self._mentions(t, pieces)) for t in terms})

    def _share(self, held: dict[str, float]) -> float:
        """The weighted share of the key terms held. An everyday noun that no document uses
        (kb/vocab/people.txt: 朋友, 同事) counts only when something else is missing too:
        documents name the parties by role, not as the customer's friends."""
        weights = {t: self.term_weight(t) for t in held}
        essential = {t: w for t, w in weights.items() if t not in self.people or self.seen(t)}
        if essential and all(held[t] >= 1.0 for t in essential):
            weights = essential
        return sum(w * held[t] for t, w in weights.items()) / (sum(weights.values()) or 1.0)

    def prepare(self, hits: list[Hit], catalog) -> None:
        """Fill the per-section caches ahead of the first questions (what warm-up is for)."""
        for hit in hits:
            self._evidence(hit.chunk.id, hit.chunk.meta["section"] + "\n" + hit.chunk.text)
            self.analyzer.canonicalize(hit.chunk.meta["section"])
            for unit in section_units(hit):
                self.analyzer.canonicalize(unit.display)
        for key in {h.doc_key for h in hits}:
            meta = catalog.meta(key)
            self._evidence(meta.key, _names(meta))
            self._document_text(key, catalog)

    def _evidence(self, key: str, raw: str) -> Evidence:
        """A piece of evidence as coverage reads it, computed once per chunk (pinyin and word
        boundaries of long text are the costly part of a question)."""
        def compute(_key: str) -> Evidence:
            canonical = self.analyzer.canonicalize(raw)
            sounds = self.analyzer.token_sounds(canonical) + self.analyzer.token_sounds(normalize(raw), canonical=False)
            return Evidence(canonical, sounds, self.analyzer.boundaries(canonical))

        return self._evidence_cache.get(key, compute)

    def term_weight(self, term: str) -> float:
        """How much a key term matters: its IDF (the customer's own figures, an amount such as
        8000元, an age, or 一天/一年, are conditions to apply, not facts to find, so they weigh little); a word no document uses weighs most, unless it is
        an everyday word (孩子, 朋友) that questions use and documents need not, or a fragment
        that jieba made up from colloquial text (办张, 起买) and no dictionary knows; a noun of the
        domain vocabulary (返现, 工本费) that no document uses weighs between the two."""
        if _PER_PERIOD.fullmatch(term):
            return self.idf(term) * PERIOD_FACTOR
        if _AMOUNT.fullmatch(term) or term[0].isdigit():
            return self.idf(term) * EVERYDAY_FACTOR
        phrasing = 1.0 if self.analyzer.is_naming_word(term) else PHRASING_FACTOR
        if self.seen(term):
            return self.idf(term) * phrasing
        if self._names_a_kind(term) or self.contrasts.alternative(term):
            return self.idf(term)
        if phrasing == 1.0 and self.analyzer.is_vocabulary(term):
            return self.idf(term) * VOCABULARY_FACTOR
        return self.idf(term) * UNKNOWN_FACTOR * phrasing

    def _names_a_kind(self, term: str) -> bool:
        """钻石卡, 西联汇款: a variant of a kind of product (kb/vocab/kinds.txt); such a word, or
        an alternative of kb/vocab/contrasts.yaml (欧元, 境外, 手机银行), that no document uses names
        what the knowledge base does not offer."""
        return any(term.endswith(kind) and len(term) > len(kind) for kind in self.kinds)

    def _faceted(self, term: str) -> tuple[str, ...]:
        """The thing a "thing + facet" term (到账时间, 申请条件) asks about: 到账, 申请."""
        return self._facet_cache.get(term, lambda _term: tuple(
            term[:-len(f)] for f in self.facets if term.endswith(f) and len(term) - len(f) >= 2))

    def _mentions(self, term: str, pieces: list[Evidence]) -> bool:
        """Written, or a broader name written (港澳台 for 香港), as a word of the evidence rather
        than across two (日语 is not in 工作日语音), by
        sound within one of its words for an all-Chinese term (年废 ~ 年费), or by most of its
        character pairs for a longer one."""
        figure = figure_of(term)
        if figure is not None and addressed(figure, compact("\n".join(p.text for p in pieces))):
            return True
        sound = self.analyzer.pinyin_text(term) if _ALL_CJK.fullmatch(term) else None
        names = [term, *self.broader.get(term, ()), *self._faceted(term)]
        stated = self.stated.get(term)
        for piece in pieces:
            if any(_written(name, piece) for name in names) or (sound is not None and sound in piece.sounds):
                return True
            if stated is not None and stated.search(piece.text):
                return True
        if len(term) >= 3:
            pairs = [term[i:i + 2] for i in range(len(term) - 1)]
            return sum(any(p in piece.text for piece in pieces) for p in pairs) / len(pairs) >= 0.67
        return False

    def pick_units(self, query: str, terms: list[str], hits: list[Hit], catalog) -> list[Unit]:
        """Greedy over the best document's sections: the best unit, then units that add key terms
        the answer does not hold yet, or that score nearly as well (a second row of a table)."""
        candidates = self.score_units(query, terms, hits, catalog)
        if not candidates or candidates[0].score <= 0:
            return []
        topic = self.analyzer.canonicalize(" ".join([catalog.meta(hits[0].doc_key).title,
                                                      *catalog.meta(hits[0].doc_key).products]))
        return self._gather(candidates, hits, [t for t in terms if t not in topic])

    def score_units(self, query: str, terms: list[str], hits: list[Hit], catalog) -> list[Unit]:
        """Every unit of these sections (one document's), scored and best first."""
        meta = catalog.meta(hits[0].doc_key)
        topic = self.analyzer.canonicalize(" ".join([meta.title, *meta.products]))
        focus = self._focus_terms(query, topic)
        asked, siblings = self._siblings(query, meta.products)
        expected = self._expected_answer(query)
        canonical = self.analyzer.canonicalize(query)
        amounts = question_amounts(canonical)
        conditional = bool(amounts) or "费" in canonical  # bands are conditions of a fee, not the fee
        figures = [f for f in map(figure_of, focus) if f is not None and f.measure != "元"]
        avoid = None if self.avoid["asks"].search(canonical) else self.avoid["headings"]
        candidates = []
        for rank, hit in enumerate(hits):
            if avoid is not None and avoid.search(hit.chunk.meta["section"]):
                continue
            heading = self.analyzer.canonicalize(self._heading(hit, meta.title))
            for unit in section_units(hit):
                text = self.analyzer.canonicalize(unit.display)
                about_sibling = any(n in heading for n in siblings) and not any(
                    n in heading or n in text for n in asked)
                context = heading + " " + self.analyzer.canonicalize(unit.asked) if unit.asked else heading
                unit.held = {t: self._held(t, text, context, topic if not about_sibling else "") for t in focus}
                unit.score = self._unit_score(unit, focus) * (1.0 - RANK_DECAY * min(rank, RANK_FLOOR))
                unit.score *= SIBLING_FACTOR if about_sibling else 1.0
                unit.score *= CONTRAST_FACTOR if self.contrasts.contradicts(canonical, text) else 1.0
                fit = band_fit(amounts, text)
                if fit is not None:
                    unit.score *= 1.0 + BAND_BOOST * fit if fit else BAND_MISS
                unit.score *= self._figure_factor(figures, compact(context + "\n" + text))
                unit.score *= self._answer_type_boost(expected, without_bands(text) if conditional else text)
                candidates.append(unit)
        candidates.sort(key=lambda u: u.score, reverse=True)
        return candidates

    @staticmethod
    def _figure_factor(figures, text: str) -> float:
        """A unit that states the question's figure (禾定盈90天 asked: the 90天 row), or a span
        holding it (200天 asked: 180天至365天), scores higher; one stating only other values of
        its measure lower."""
        factor = 1.0
        for figure in figures:
            value = figure_fit(figure, text)
            if value is not None:
                factor *= 1.0 + FIGURE_BOOST * value if value else FIGURE_MISS
        return factor

    def _gather(self, candidates: list[Unit], hits: list[Hit], terms: list[str]) -> list[Unit]:
        """The best unit, then the next best that score at least ADD_FLOOR of it, while the
        answer stays within `answer_max_chars` and three units: the fact asked for is often in
        the second or third best sentence or row, and a short answer has room for it."""
        best = candidates[0]
        chosen, length = [best], len(best.display)
        for unit in candidates[1:]:
            if len(chosen) == 3 or unit.score < ADD_FLOOR * best.score:
                break
            if length + len(unit.display) <= self.settings.answer_max_chars and unit.display not in {
                    u.display for u in chosen}:
                chosen.append(unit)
                length += len(unit.display)
        return sorted(chosen, key=lambda u: (hits.index(u.hit), u.position))

    def _focus_terms(self, query: str, topic: str) -> dict[str, float]:
        """What a unit is scored on: the question's key terms by weight (those naming the
        document's own topic count less, as every sentence of it is about them), plus the
        asking words that answers echo (最高, 最低) and single content characters (退, 寄), a little."""
        focus = {}
        for term in self.key_terms(query):
            focus[term] = self.term_weight(term) * (TOPIC_FACTOR if term in topic else 1.0)
        for word in self.analyzer.words(query):
            if word in focus or not _ALL_CJK.fullmatch(word):
                continue
            if len(word) == 1:
                focus[word] = CHAR_WEIGHT
            elif self.analyzer.is_question_word(word) and self.seen(word):
                focus[word] = ASKING_WEIGHT
        return focus

    def _siblings(self, query: str, products: list[str]) -> tuple[list[str], list[str]]:
        """The document's names of other products of the kind the question asks about (账单分期
        asked, 现金分期 the sibling: Chinese names end in their kind; 经营快贷 is no sibling of
        经营贷 but one of its kinds), with the names asked: a section headed by a sibling and not
        by the asked product is about the sibling."""
        canonical = self.analyzer.canonicalize(query)
        names = {self.analyzer.canonicalize(p) for p in products}
        names = [n for n in names if len(n) >= 2]
        asked = [n for n in names if n in canonical]
        asked = [a for a in asked if not any(a != b and a in b for b in asked)]  # 账单分期, not 分期
        return asked, [n for n in names if any(_sibling(n, a) for a in asked)]

    @staticmethod
    def _heading(hit: Hit, title: str) -> str:
        """The section's own heading path; the document title heads no section of its own."""
        section = hit.chunk.meta["section"]
        return "" if section == title else section

    def _held(self, term: str, text: str, heading: str, topic: str) -> float:
        """How far a unit holds a term: in its lead (the label of a list item, the first cell of
        a row: what the unit is about), in its own words, in its section's heading, implicitly
        (a term naming the document, `topic`), or most of a longer term's character pairs. A
        broader name (港澳台) holds a narrower one (澳门)."""
        if term in text:
            return LEAD_HOLD if term in _lead(text) else 1.0
        if any(name in text for name in self.broader.get(term, ())) or (
                term in self.stated and self.stated[term].search(text)):
            return 1.0
        if any(name in text for name in self._faceted(term)):
            return FACET_HOLD
        value = amount_of(term)
        if value is not None and states_amount(value, text):
            return 1.0
        if term in heading:
            return HEADING_HOLD
        if term in topic:
            return TOPIC_HOLD
        if len(term) >= 3:
            pairs = [term[i:i + 2] for i in range(len(term) - 1)]
            share = sum(p in text for p in pairs) / len(pairs)
            return PARTIAL_HOLD * share if share >= 0.5 else 0.0
        return 0.0

    def _expected_answer(self, query: str) -> tuple[re.Pattern, re.Pattern | None] | None:
        canonical = self.analyzer.canonicalize(query)
        return next(((answer, weak) for ask, answer, weak in self.answer_types if ask.search(canonical)), None)

    @staticmethod
    def _answer_type_boost(expected, text: str) -> float:
        """How well a unit looks like an answer to the kind of question asked (a figure for 多少)."""
        if expected is None:
            return 1.0
        answer, weak = expected
        text = compact(text)
        if answer.search(text):
            return ANSWER_TYPE_BOOST
        return WEAK_ANSWER_BOOST if weak is not None and weak.search(text) else 1.0

    def _unit_score(self, unit: Unit, focus: dict[str, float]) -> float:
        matched = sum(w * unit.held[t] for t, w in focus.items())
        return matched * (1.0 - POSITION_DECAY * min(unit.position, 10)) / (1.0 + len(unit.display) / 150)

    def _citation(self, unit: Unit, catalog) -> Citation:
        meta = catalog.meta(unit.hit.doc_key)
        return Citation(doc_id=meta.doc_id, version=meta.version, title=meta.title,
                        section=unit.hit.chunk.meta["section"], quote=unit.quote)


def _grades_fit(question: str, units: list[Unit]) -> bool:
    """A grade the question names (D级, C1) must be one of those the answer's tables list, when
    they list grades (A+, A, B, C)."""
    asked = {m.group(1) for m in _GRADE_ASKED.finditer(question)}
    if not asked:
        return True
    listed = {cell for u in units for cell in _first_cells(u.hit.chunk.text) if _GRADE.fullmatch(cell)}
    return not listed or bool(asked & listed)


def _first_cells(text: str) -> list[str]:
    return [line.strip().strip("|").split("|")[0].strip().lower() for line in text.splitlines()
            if line.strip().startswith("|")]


def _sibling(name: str, other: str) -> bool:
    return name[-1] == other[-1] and not _within(name, other) and not _within(other, name)


def _within(short: str, long: str) -> bool:
    """The characters of `short` appear in `long` in order (经营贷 within 经营快贷)."""
    chars = iter(long)
    return all(c in chars for c in short)


def _written(term: str, piece: Evidence) -> bool:
    """The term occurs in the text beginning or ending where a word does."""
    start = piece.text.find(term)
    while start >= 0:
        if start in piece.bounds or start + len(term) in piece.bounds:
            return True
        start = piece.text.find(term, start + 1)
    return False


def _names(meta) -> str:
    """What a document names as its subject: title, products and, for a script, the situations
    it serves (客户情绪激动), which its body need not repeat."""
    return " ".join([meta.title, *meta.products, *meta.intents])


def _lead(text: str) -> str:
    """What a unit names first: the label before a colon (最低还款额：...) or a row's first cell."""
    return re.split(r"[：:，,]", text, maxsplit=1)[0][:LEAD_CHARS]


def load_answer_types() -> list[tuple[re.Pattern, re.Pattern, re.Pattern | None]]:
    rules = load_yaml("answer_types.yaml")
    return [(re.compile(r["ask"]), re.compile(r["answer"]), re.compile(r["weak"]) if r.get("weak") else None)
            for r in rules]


def no_answer() -> Answer:
    return Answer(status="no_answer", text=NO_ANSWER_TEXT, citations=[])


def _join(parts) -> str:
    text = ""
    for part in parts:
        part = part.strip()
        text += part if part[-1] in _END else part + "；"
    return text[:-1] + "。" if text.endswith("；") else text
