"""Alternatives that exclude one another (境内/境外, 本行/他行, 主卡/附属卡, one currency or
channel against another), as data in kb/vocab/contrasts.yaml: a sentence or table row about
another alternative than the one asked about is not its answer, however many other words the
two share."""

from kb.vocab import load_yaml


class Contrasts:
    def __init__(self, groups: list[list[list[str]]]):
        """`groups`: alternatives, each a list of canonical words for it."""
        self.groups = [[tuple(words) for words in group] for group in groups]

    @classmethod
    def load(cls, canonicalize) -> "Contrasts":
        groups = load_yaml("contrasts.yaml") or []
        return cls([[[canonicalize(str(w)) for w in alternative] for alternative in group] for group in groups])

    def alternative(self, word: str) -> bool:
        """Whether the word is one of the alternatives."""
        return any(word in words for group in self.groups for words in group)

    def contradicts(self, question: str, text: str) -> bool:
        """Whether the text names only other alternatives than those the question names."""
        for group in self.groups:
            asked = _named(group, question)
            if asked:
                said = _named(group, text)
                if said and not said & asked:
                    return True
        return False


def _named(group: list[tuple[str, ...]], text: str) -> set[int]:
    """The alternatives the text names; a word inside a longer word of the group that the text
    also holds does not count (金卡 within 白金卡)."""
    spans = []
    for index, words in enumerate(group):
        for word in words:
            start = text.find(word)
            while start >= 0:
                spans.append((start, start + len(word), index))
                start = text.find(word, start + 1)
    return {i for s, e, i in spans if not any(s2 <= s and e <= e2 and e2 - s2 > e - s for s2, e2, _ in spans)}
