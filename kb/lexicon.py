"""Chinese-aware analysis for lexical retrieval and answerability.

A question typed mid-call is short, colloquial, often mistyped through a pinyin input method and
sometimes in Traditional Chinese or Cantonese. Each text is therefore analysed into three kinds of
tokens: jieba words (with every product alias in the dictionary), character bigrams (a fallback
for words jieba has never seen) and pinyin bigrams (so a homophone typo such as 年废 still meets
年费). Synonyms and Cantonese function words are rewritten to one canonical form first.
"""

import copy
import re
import threading
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

import jieba
import yaml
from pypinyin import Style, lazy_pinyin

from kb.contrasts import Contrasts
from kb.memo import Memo

if TYPE_CHECKING:  # each index's speller is built on its analyzer; spelling is asked of the analyzer
    from jieba.posseg import POSTokenizer

    from kb.speller import Speller
from kb.text import counted_numbers_to_digits, is_cjk, normalize, occurrences
from kb.vocab import alternation, asking, load_checked, load_yaml, read_text

jieba.setLogLevel(60)

TOKEN_WEIGHTS = {"#": 0.4, "~": 0.3}
QUESTION_WORD_WEIGHT = 0.2
BROADER_WEIGHT = 0.5
EVERYDAY_WORD = 50  # jieba dictionary count above which a word is no typing slip
_PHRASING_TAGS = set("vadlitzrfcbmqpuey")  # jieba POS tags (first letter) of how, not what
_MEASURES = load_checked("measures.yaml", lists=("term_measures", "spaced_measures"))
_NUMBER_TERM = re.compile(rf"(?<![a-z\d.])\d+(?:\.\d+)?{alternation(_MEASURES['term_measures'])}?")
_ASCII_WORD = re.compile(r"^[a-z0-9][a-z0-9 .\-]*$")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_KEEP_TOKEN = re.compile(r"[\w%]")


def load_synonym_groups(extra_file: Path | None = None) -> list[list[str]]:
    """The packaged synonym groups, plus those of an editor's file."""
    groups = yaml.safe_load(read_text("synonyms.yaml"))["groups"] + yaml.safe_load(read_text("dialects.yaml"))["groups"]
    if extra_file is not None:
        groups = groups + (yaml.safe_load(extra_file.read_text(encoding="utf-8")) or {}).get(
            "groups", []
        )
    return [[normalize(str(term)) for term in group] for group in groups if group]


ECHO = re.compile(asking()["a_not_a"])  # 收不收, 受不受: asking whether, not naming what
_NUMBER_SPACE = re.compile(rf"(\d)\s+(?={alternation(_MEASURES['spaced_measures'])})")


class Rewriter:
    """Rewrites every variant to its canonical term, the longest variant at each position first;
    an English variant only as a whole word (card, not inside discard). A scan with one dict
    lookup per variant length, so a vocabulary of thousands of variants costs what a few do."""

    def __init__(self, canonical: dict[str, str]):
        self.canonical = canonical
        self.lengths: dict[str, list[int]] = {}  # first character → lengths of its variants, longest first
        for variant in canonical:
            self.lengths.setdefault(variant[0], []).append(len(variant))
        self.lengths = {c: sorted(set(n), reverse=True) for c, n in self.lengths.items()}

    def sub(self, text: str) -> str:
        out, i = [], 0
        while i < len(text):
            match = next((v for n in self.lengths.get(text[i], ()) if i + n <= len(text)
                          for v in [text[i:i + n]] if v in self.canonical and _whole(text, i, v)), None)
            out.append(self.canonical[match] if match else text[i])
            i += len(match) if match else 1
        return "".join(out)


def _whole(text: str, start: int, variant: str) -> bool:
    if not _ASCII_WORD.match(variant):
        return True
    end = start + len(variant)
    return not (start > 0 and text[start - 1] in _ALNUM) and not (end < len(text) and text[end] in _ALNUM)


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def _grown_tokenizer(tokenizer: jieba.Tokenizer, words: list[str]) -> jieba.Tokenizer:
    """A copy of a jieba tokenizer with these words added (its dictionary copied, not shared)."""
    grown = copy.copy(tokenizer)
    grown.FREQ = dict(tokenizer.FREQ)
    grown.lock = threading.RLock()
    for word in words:
        grown.add_word(word, freq=50000)
    return grown


@dataclass
class Analyzer:
    """Turns text into lexical tokens; one instance per knowledge base (its aliases differ)."""

    synonym_groups: list[list[str]]
    user_words: list[str] = field(default_factory=list)
    _canonical_texts: Memo = field(default_factory=Memo, repr=False)
    _naming: Memo = field(default_factory=Memo, repr=False)

    @cached_property
    def _canonical(self) -> dict[str, str]:
        """Every term of every group → its group's first term (the canonical one maps to itself,
        so that 大额存单 is matched whole before its variant 存单 could be)."""
        return {v: group[0] for group in self.synonym_groups for v in reversed(group)}

    @property
    def variants(self) -> dict[str, str]:
        """Every synonym variant → its canonical term."""
        return self._canonical

    @cached_property
    def _rewrite(self) -> Rewriter | None:
        return Rewriter(self._canonical) if self._canonical else None

    @cached_property
    def stopwords(self) -> frozenset[str]:
        words = read_text("stopwords.txt").split()
        return frozenset(self.canonicalize(w) for w in words) | frozenset(words)

    @cached_property
    def _jieba(self) -> jieba.Tokenizer:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for group in self.synonym_groups:
            for term in group:
                if any(is_cjk(c) for c in term):
                    tokenizer.add_word(term, freq=50000)
        for word in self.user_words:
            tokenizer.add_word(self.canonicalize(word), freq=50000)
        return tokenizer

    @cached_property
    def _numbered_names(self) -> list[str]:
        """Product names with a figure in them (稳禾90天): key terms keep them whole."""
        return [n for n in map(self.canonicalize, self.user_words) if any(c.isdigit() for c in n)]

    def with_words(self, words: list[str]) -> "Analyzer":
        """An analyzer that also keeps these product names (of a published version) whole; this
        one, which the index that questions are reading holds, is left as it was."""
        fresh = [w for w in dict.fromkeys(words) if w not in self.user_words]
        if not fresh:
            return self
        grown = copy.copy(self)
        grown.user_words = [*self.user_words, *fresh]
        grown._naming = Memo()  # a new word is tagged as a whole
        for derived in ("_numbered_names", "_tagger", "_jieba"):
            grown.__dict__.pop(derived, None)
        if "_jieba" in self.__dict__:
            grown.__dict__["_jieba"] = _grown_tokenizer(self._jieba, [self.canonicalize(w) for w in fresh])
        return grown

    def load(self) -> None:
        """Build every lazy part now (the POS tagger's dictionary takes about a second), so that
        no agent's question pays for it."""
        _ = self._jieba, self._tagger, self.stopwords, self.question_words, self._rewrite
        self.is_naming_word("年费")
        self.general_frequency("年费")
        self.pinyin_text("年费")

    def canonicalize(self, text: str) -> str:
        """Normalized text with numerals as digits and every synonym in its canonical form."""
        return cast(str, self._canonical_texts.get(text, self._canonicalize))

    def _canonicalize(self, text: str) -> str:
        text = counted_numbers_to_digits(normalize(text))
        if self._rewrite is None:
            return text
        for _ in range(3):  # until nothing changes: 幾多錢 → 多少钱 → 多少
            rewritten = self._rewrite.sub(text)
            if rewritten == text:
                break
            text = rewritten
        return _NUMBER_SPACE.sub(r"\1", text)  # "5 year" rewritten is 5年

    def spell(self, text: str, speller: "Speller | None") -> str:
        """The question with pinyin-input slips put right against one index's words (年废 → 年费),
        by that index's speller; the text as it is with none."""
        if speller is None:
            return text
        canonical = self.canonicalize(text)
        corrected = speller.correct(canonical)
        return corrected if corrected == canonical else self.canonicalize(corrected)  # 上限 → 最高

    def words(self, text: str) -> list[str]:
        """Canonical jieba words of the text, stopwords and punctuation dropped."""
        return self._words(self.canonicalize(text))

    def _words(self, canonical: str) -> list[str]:
        pieces = list(self._jieba.tokenize(canonical, mode="search"))
        return [w for w, start, end in pieces if _KEEP_TOKEN.search(w.strip() or " ")
                and w not in self.stopwords and not self._inside_alternative(w, start, end, pieces)]

    def _inside_alternative(self, word: str, start: int, end: int, pieces: list[tuple[str, int, int]]) -> bool:
        """金卡 inside 白金卡: a search-mode sub-word naming one alternative of kb/vocab/contrasts.yaml
        within a longer word naming another, which would match the wrong card tier."""
        alternative = self.contrasts.alternative
        return alternative(word) and any(
            s <= start and end <= e and e - s > end - start and alternative(w) for w, s, e in pieces)

    @cached_property
    def contrasts(self) -> Contrasts:
        """Alternatives that exclude one another (kb/vocab/contrasts.yaml), canonical."""
        return Contrasts.load(self.canonicalize, self.broader)

    def tokens(self, text: str) -> list[str]:
        """Every lexical token of the text: words, '#' char bigrams, '~' pinyin bigrams.

        Bigrams are taken within runs of content words only, so that 多少 or 怎么 in a question
        adds no noise."""
        canonical = self.canonicalize(text)
        tokens = self._words(canonical)
        for run in self._content_runs(canonical):
            syllables = _pinyin(run)
            tokens += ["#" + run[i:i + 2] for i in range(len(run) - 1)]
            tokens += ["~" + syllables[i] + syllables[i + 1] for i in range(len(run) - 1)]
        return tokens

    def weighted_tokens(self, text: str) -> dict[str, float]:
        """Query tokens with weights: a word counts fully, its bigram and pinyin echoes less, so a
        long Chinese word does not outweigh a mixed one such as 星e贷."""
        weights = {t: QUESTION_WORD_WEIGHT if t in self.question_words else TOKEN_WEIGHTS.get(t[0], 1.0)
                   for t in self.tokens(text)}
        for name in [b for t in list(weights) for b in self.broader.get(t, ())]:
            weights.setdefault(name, BROADER_WEIGHT)  # 日元 asked: a row on 外币 speaks of it
        return weights

    @cached_property
    def category_cues(self) -> dict[str, frozenset[str]]:
        """Category → the phrases asking for a document of it (怎么说 → script), from
        kb/vocab/category_cues.yaml, canonical."""
        return {category: frozenset(self.canonicalize(c) for c in cues)
                for category, cues in (load_yaml("category_cues.yaml") or {}).items()}

    @cached_property
    def broader(self) -> dict[str, list[str]]:
        """Narrower name → the broader names that cover it (香港 → 港澳台, 港澳), from kb/vocab/broader.yaml."""
        out: dict[str, list[str]] = {}
        for broad, narrow in (load_yaml("broader.yaml") or {}).items():
            for name in narrow:
                out.setdefault(self.canonicalize(str(name)), []).append(self.canonicalize(str(broad)))
        return out

    def _content_runs(self, canonical: str) -> list[str]:
        runs: list[str] = []
        current = ""
        for piece in self._jieba.lcut(canonical):
            if _CJK_RUN.fullmatch(piece) and piece not in self.stopwords:
                current += piece
            else:
                runs, current = runs + [current] if current else runs, ""
        return runs + [current] if current else runs

    def key_terms(self, text: str) -> list[str]:
        """Content words a piece of evidence must cover to answer the question. A number keeps its
        measure word (36期, 3年, 80万), so jieba cannot glue it to the next word (80万能赔)."""
        canonical = self.canonicalize(text)
        named = [(s, s + len(name)) for name in self._numbered_names for s in occurrences(name, canonical)]
        seen = []

        def pull(number: re.Match[str]) -> str:
            if any(s <= number.start() < e for s, e in named):
                return number.group(0)
            seen.append(number.group(0))
            return " "

        for word in self._jieba.lcut(_NUMBER_TERM.sub(pull, canonical)):
            word = word.strip()
            if word in seen or self._is_function_phrase(word) or not _KEEP_TOKEN.search(word or " "):
                continue
            if len(word) >= 2 or word.isdigit():
                seen.append(word)
        return seen

    @cached_property
    def _tagger(self) -> "POSTokenizer":
        from jieba.posseg import POSTokenizer

        return POSTokenizer(tokenizer=self._jieba)

    def is_naming_word(self, word: str) -> bool:
        """Nouns and names say what a question is about; verbs, adjectives and adverbs say how
        the customer puts it (打电话, 开门, 取出来), which documents phrase differently."""
        return cast(bool, self._naming.get(word, self._tags_name))

    def _tags_name(self, word: str) -> bool:
        tags = {pair.flag for pair in self._tagger.lcut(word)}
        return not tags or not all(_phrasing(tag) for tag in tags)

    def is_vocabulary(self, word: str) -> bool:
        """A term of the domain vocabulary (synonyms data): never an everyday word, however
        common it is in general Chinese (美元, 欧元)."""
        return word in self._canonical

    def general_frequency(self, word: str) -> int:
        """How common the word is in general Chinese: jieba's own dictionary count (0 if unknown),
        not our tokenizer's, whose product and synonym words are boosted."""
        return _general_dictionary().get(word, 0)

    def is_known_word(self, word: str) -> bool:
        """A function word, a synonym's variant, or a word everyday Chinese uses often enough
        that it is no typing slip."""
        if word in self.stopwords or word in self.question_words or word in self._canonical:
            return True
        return len(word) > 1 and self.general_frequency(word) >= EVERYDAY_WORD

    def is_question_word(self, word: str) -> bool:
        """几次, 最多能, 多久: words a question uses to ask, not to name what it asks about."""
        return word.startswith(self._question_prefixes)

    @cached_property
    def _question_prefixes(self) -> tuple[str, ...]:
        return tuple(read_text("question_words.txt").split())

    @cached_property
    def question_words(self) -> frozenset[str]:
        return frozenset(self._question_prefixes)

    def _is_function_phrase(self, word: str) -> bool:
        """A stopword, or a stopword glued to one character (怎么收, 多少钱, 有冇)."""
        if word in self.stopwords:
            return True
        return len(word) >= 3 and (word[:-1] in self.stopwords or word[1:] in self.stopwords)

    def token_sounds(self, text: str, canonical: bool = True) -> str:
        """Pinyin word by word, words apart (" gong zuo ri | yu yin |"), so that a sound is only
        matched inside a word."""
        text = self.canonicalize(text) if canonical else text
        return " " + " ".join(" ".join(_pinyin(w)) + " |" for w in self._jieba.lcut(text) if w.strip()) + " "

    def boundaries(self, canonical: str) -> frozenset[int]:
        """Offsets in the text where one of its words starts or ends."""
        offsets, at = {0}, 0
        for word in self._jieba.lcut(canonical):
            at += len(word)
            offsets.add(at)
        return frozenset(offsets)

    def pinyin_text(self, text: str, canonical: bool = True) -> str:
        """Space-separated pinyin of the CJK characters, for homophone matching."""
        return " " + " ".join(_pinyin(self.canonicalize(text) if canonical else text)) + " "


@lru_cache(maxsize=8192)
def _pinyin_tuple(run: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(run))


def _tones(word: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(word, style=Style.TONE3))


def _phrasing(tag: str) -> bool:
    """A verb, adverb, time or place word, pronoun, measure, conjunction...; a verbal noun
    (展期) names a thing, a person's name (阿姨 is tagged one) is who calls, not what is asked."""
    return tag != "vn" and (tag[0] in _PHRASING_TAGS or tag.startswith("nr"))


def _pinyin(run: str) -> list[str]:
    return list(_pinyin_tuple(run))


@lru_cache(maxsize=1)
def _general_dictionary() -> dict[str, int]:
    jieba.dt.check_initialized()
    return cast(dict[str, int], jieba.dt.FREQ)
