"""Alternatives that exclude one another (境内/境外, 本行/他行, 主卡/附属卡, one currency or
channel against another), as data in kb/vocab/contrasts.yaml: a sentence or table row about
another alternative than the one asked about is not its answer, however many other words the
two share."""

import re
from collections.abc import Callable
from typing import cast

from kb.memo import Memo
from kb.text import occurrences
from kb.vocab import alternation, load_checked

_VOCAB = load_checked("contrasts.yaml", lists=("negations",))
_NEGATION = re.compile(alternation(_VOCAB["negations"]))
NEGATION_REACH = int(_VOCAB["negation_reach"])  # 不发行外币: a negation this close before a name excludes it

Group = list[tuple[str, ...]]  # alternatives, each the canonical words that name it


class Contrasts:
    def __init__(self, groups: list[list[list[str]]], broader: dict[str, list[str]] | None = None):
        """`groups`: alternatives, each a list of canonical words for it; `broader`: narrower
        word → broader names that cover it (日元 → 外币), so that a text naming 外币 is about 日元 too."""
        self.groups = [[tuple(words) for words in group] for group in groups]
        self.broader = broader or {}
        self.words = frozenset(word for group in self.groups for words in group for word in words)
        self._asked_by_question = Memo()

    @classmethod
    def load(cls, canonicalize: Callable[[str], str], broader: dict[str, list[str]] | None = None) -> "Contrasts":
        groups = _VOCAB.get("groups") or []
        return cls([[[canonicalize(str(w)) for w in alternative] for alternative in group] for group in groups],
                   broader)

    def alternative(self, word: str) -> bool:
        """Whether the word is one of the alternatives."""
        return word in self.words

    def contradicts(self, question: str, text: str) -> bool:
        """Whether the text names only other alternatives than those the question names."""
        for group, asked in self._asked(question):
            said = _named(group, text)
            if said and not said & asked and not self._covered(group, asked, text):
                return True
        return False

    def _asked(self, question: str) -> tuple[tuple[Group, frozenset[int]], ...]:
        """The groups the question names an alternative of, with those it names (found once per
        question, checked against every sentence and row)."""
        def compute(_question: str) -> tuple[tuple[Group, frozenset[int]], ...]:
            named = ((group, frozenset(_named(group, question))) for group in self.groups)
            return tuple((group, asked) for group, asked in named if asked)

        return cast(tuple[tuple[Group, frozenset[int]], ...], self._asked_by_question.get(question, compute))

    def _covered(self, group: Group, asked: frozenset[int] | set[int], text: str) -> bool:
        """The text names a broader name of an asked alternative (其他外币 for 日元), and not to
        exclude it (不发行外币大额存单)."""
        return any(_affirmed(b, text) for i in asked for word in group[i] for b in self.broader.get(word, ()))


def _affirmed(name: str, text: str) -> bool:
    return any(not _NEGATION.search(text[max(0, start - NEGATION_REACH):start]) for start in occurrences(name, text))


def _named(group: Group, text: str) -> set[int]:
    """The alternatives the text names; a word inside a longer word of the group that the text
    also holds does not count (金卡 within 白金卡)."""
    spans = [(start, start + len(word), index) for index, words in enumerate(group) for word in words
             for start in occurrences(word, text)]
    return {i for s, e, i in spans if not any(s2 <= s and e <= e2 and e2 - s2 > e - s for s2, e2, _ in spans)}
