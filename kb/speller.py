"""Typing slips of a pinyin input method, put right against the words one knowledge base writes
(年废 → 年费): each index has its own speller, grown with the index, never shared between two."""

import copy
from collections.abc import Callable, Iterable
from functools import cached_property
from typing import cast

from kb.lexicon import _CJK_RUN, ECHO, _pinyin_tuple, _tones
from kb.memo import Memo

SPELL_LENGTHS = (4, 3, 2)


def _cuts(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < start < e or s < end < e for s, e in spans)


class Speller:
    """Puts right a one-character slip of a pinyin input method (年废 → 年费, 挂矢 → 挂失): a stretch
    of a question that sounds exactly like a word the knowledge base writes and differs from it in
    one character, a character that belongs to no word the knowledge base or everyday Chinese
    knows. Nothing else is touched, so a word the knowledge base does not know (钻石卡) stays what
    it is and can still make the question unanswerable."""

    def __init__(self, words: Iterable[str] = (), known: Callable[[str], bool] = lambda word: False,
                 names: Iterable[str] = (), listed: Callable[[str], bool] = lambda word: False,
                 naming: Callable[[str], bool] = lambda word: False, variants: dict[str, str] | None = None):
        """`words`: what the knowledge base writes; `known(word)`: whether a word it does not
        write is still a word (everyday Chinese, a function word), whose characters are then no
        slip; `names`: product names, put right first and even where the slip is an everyday
        character (稳和宝 → 稳禾宝); `listed(word)`: whether a dictionary lists the word at all,
        however rarely used: such a word is a slip only for a word that sounds the same to the
        tone (借到, jiè dào, is no slip for 接到, jiē dào; 挂矢, which no dictionary lists, is one
        for 挂失); `naming(word)` and `variants` (variant → canonical word): an everyday noun the
        knowledge base does not write that sounds, tones and all, like a word it writes or a
        variant of one is an input method's wrong candidate (上线 for 上限, 首富 for 首付)."""
        self.words: set[str] = set()
        self.known = known
        self.listed = listed
        self.naming = naming
        self.variants = variants or {}
        self._by_sound: dict[tuple[str, ...], list[str]] = {}
        self._names: dict[tuple[str, ...], list[str]] = {}
        self._corrected = Memo()
        self.learn(words)
        self.learn_names(names)

    def learn_names(self, names: Iterable[str]) -> "Speller":
        for name in names:
            if 3 <= len(name) <= 8 and _CJK_RUN.fullmatch(name):
                self._names.setdefault(_pinyin_tuple(name), []).append(name)
        self._name_lengths = sorted({len(n) for names in self._names.values() for n in names}, reverse=True)
        return self

    def learn(self, words: Iterable[str]) -> "Speller":
        for word in words:
            if word not in self.words and 2 <= len(word) <= max(SPELL_LENGTHS) and _CJK_RUN.fullmatch(word):
                self.words.add(word)
                self._by_sound.setdefault(_pinyin_tuple(word), []).append(word)
        return self

    def grown(self, words: Iterable[str], names: Iterable[str] = ()) -> "Speller":
        """A speller that also knows these words and names; this one is left as it was."""
        other = copy.copy(self)  # the same dictionaries (known, listed, naming, variants)
        other.words, other._by_sound = set(self.words), {k: list(v) for k, v in self._by_sound.items()}
        other._names = {k: list(v) for k, v in self._names.items()}
        other._corrected = Memo()
        other.learn(words).learn_names(names)
        if "_by_tones" in self.__dict__:
            other._by_tones = {**self._by_tones, **other._tone_index(other.words - self.words)}
        return other

    def correct(self, canonical: str) -> str:
        return cast(str, self._corrected.get(canonical, lambda text: _CJK_RUN.sub(lambda m: self._run(
            m.group(0), after_number=m.start() > 0 and text[m.start() - 1].isdigit()), text)))

    def _run(self, run: str, after_number: bool = False) -> str:
        """`after_number`: the run follows a figure, whose unit (10万, 3年) is no slip."""
        run = self._named(run)
        covered, spans = self._covered(run)
        covered[0] = covered[0] or after_number
        out, i = "", 0
        while i < len(run):
            fix = next((f for n in SPELL_LENGTHS if i + n <= len(run) and not _cuts(spans, i, i + n)
                        for f in [self._fix(run[i:i + n], covered[i:i + n])] if f), None)
            out, i = (out + fix, i + len(fix)) if fix else (out + run[i], i + 1)
        return out

    def _covered(self, run: str) -> tuple[list[bool], list[tuple[int, int]]]:
        """Which characters belong to a word of the knowledge base or of everyday Chinese, and
        where the everyday words lie (a correction may not cut one: 银行维 is no 行为)."""
        covered = [self.known(char) for char in run]
        spans = []
        for i in range(len(run)):
            for n in range(2, min(max(SPELL_LENGTHS), len(run) - i) + 1):
                word = run[i:i + n]
                if self.known(word):
                    spans.append((i, i + n))
                if word in self.words or self.known(word):
                    covered[i:i + n] = [True] * n
        for echo in ECHO.finditer(run):  # 受不受 asks whether; it is no slip for 受不收
            covered[echo.start():echo.end()] = [True] * len(echo.group(0))
            spans.append(echo.span())
        return covered, spans

    def _named(self, run: str) -> str:
        """The run with every one-character slip of a product name put right."""
        if not self._names:
            return run
        sounds = _pinyin_tuple(run)
        if len(sounds) != len(run):
            return run
        out, i = "", 0
        while i < len(run):
            fix = next((name for n in self._name_lengths if i + n <= len(run)
                        for name in self._names.get(sounds[i:i + n], ())
                        if sum(a != b for a, b in zip(name, run[i:i + n])) <= 1), None)
            out, i = (out + fix, i + len(fix)) if fix else (out + run[i], i + 1)
        return out

    def load(self) -> None:
        """Build the index of words by their tones now (about 0.2 s for a few thousand words),
        so that no agent's question pays for it."""
        _ = self._by_tones

    @cached_property
    def _by_tones(self) -> dict[tuple[str, ...], str]:
        return self._tone_index(self.words)

    def _tone_index(self, words: set[str]) -> dict[tuple[str, ...], str]:
        """These words and the variants of them, by the tones they are spoken in."""
        spoken = [*words, *(v for v, w in self.variants.items() if w in words
                            and 2 <= len(v) <= max(SPELL_LENGTHS) and _CJK_RUN.fullmatch(v))]
        return {_tones(w): w for w in spoken}

    def _homophone(self, window: str) -> str | None:
        if not (self.known(window) and self.naming(window)) or window in self.variants:
            return None
        return self._by_tones.get(_tones(window))

    def _fix(self, window: str, covered: list[bool]) -> str | None:
        if window in self.words:
            return None
        if all(covered):
            return self._homophone(window)
        for word in self._by_sound.get(_pinyin_tuple(window), ()):
            slips = [i for i, (a, b) in enumerate(zip(word, window)) if a != b]
            if len(slips) == 1 and not covered[slips[0]] and (
                    not self.listed(window) or _tones(window) == _tones(word)):
                return word
        return None
