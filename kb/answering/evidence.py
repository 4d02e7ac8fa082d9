"""Whether a piece of text holds a term of the question: written as a word of it, by a broader
name (港澳台 for 香港), by a stated condition (年满60周岁 for 老年), by sound within one of its
words (年废 ~ 年费, a slip of a pinyin input method), or by most of a longer term's character
pairs. Each piece is analysed once per content (pinyin and word boundaries are the costly part).
"""

import re
from typing import NamedTuple, cast

from kb.figures import addressed, figure_of
from kb.lexicon import Analyzer
from kb.memo import Memo
from kb.text import compact, normalize, occurrences
from kb.vocab import load_yaml, read_words

_ALL_CJK = re.compile(r"[\u3400-\u9fff]+")
PAIR_SHARE = 0.67  # a term of 3+ characters is held when this share of its character pairs is


class Evidence(NamedTuple):
    text: str                # canonical
    sounds: str              # pinyin, word by word (" nian fei | biao zhun |")
    bounds: frozenset[int]   # offsets where a word of `text` starts or ends


class Holding:
    """The lexical tests of holding, over one analyzer's vocabulary."""

    def __init__(self, analyzer: Analyzer):
        self.analyzer = analyzer
        self.broader = analyzer.broader
        self.stated = {analyzer.canonicalize(t): re.compile(p) for t, p in load_yaml("stated.yaml").items()}
        self.facets = tuple(read_words("facets.txt"))
        self._evidence = Memo()
        self._faceted = Memo()

    def evidence(self, key: str, raw: str) -> Evidence:
        """`raw` as holding reads it, computed once per key (a chunk id carries its content hash)."""
        def compute(_key: str) -> Evidence:
            canonical = self.analyzer.canonicalize(raw)
            sounds = self.analyzer.token_sounds(canonical) + self.analyzer.token_sounds(
                normalize(raw), canonical=False)
            return Evidence(canonical, sounds, self.analyzer.boundaries(canonical))

        return cast(Evidence, self._evidence.get(key, compute))

    def names(self, term: str) -> tuple[str, ...]:
        """The term and what else writes it: a broader name, the thing of a "thing + facet"
        term (到账时间 → 到账)."""
        return (term, *self.broader.get(term, ()), *self.faceted(term))

    def faceted(self, term: str) -> tuple[str, ...]:
        return cast(tuple[str, ...], self._faceted.get(term, lambda _term: tuple(
            term[:-len(f)] for f in self.facets if term.endswith(f) and len(term) - len(f) >= 2)))

    def mentions(self, term: str, pieces: list[Evidence]) -> bool:
        """Whether any piece holds the term as a word, by a broader name, a stated condition, by
        sound within a word, or by most of its character pairs."""
        figure = figure_of(term)
        if figure is not None and addressed(figure, compact("\n".join(p.text for p in pieces))):
            return True
        sound = self.analyzer.pinyin_text(term) if _ALL_CJK.fullmatch(term) else None
        names = self.names(term)
        stated = self.stated.get(term)
        for piece in pieces:
            if any(_written(name, piece) for name in names) or (sound is not None and sound in piece.sounds):
                return True
            if stated is not None and stated.search(piece.text):
                return True
        return len(term) >= 3 and pair_share(term, " ".join(p.text for p in pieces)) >= PAIR_SHARE

    def in_text(self, term: str, text: str) -> bool:
        """The cheap test, for many short units: the term, a broader name or the stated
        condition occurs in the canonical text."""
        if any(name in text for name in self.names(term)):
            return True
        stated = self.stated.get(term)
        return stated is not None and bool(stated.search(text))


def char_share(term: str, text: str) -> float:
    """The share of the term's characters the text has (房子 against 住房: one of two)."""
    return sum(c in text for c in term) / len(term) if term else 0.0


def pair_share(term: str, text: str) -> float:
    pairs = [term[i:i + 2] for i in range(len(term) - 1)]
    return sum(p in text for p in pairs) / len(pairs) if pairs else 0.0


def _written(term: str, piece: Evidence) -> bool:
    """The term occurs in the text beginning or ending where a word does (日语 is not in 工作日语音)."""
    return any(start in piece.bounds or start + len(term) in piece.bounds for start in occurrences(term, piece.text))
