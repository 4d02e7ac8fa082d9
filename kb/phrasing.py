"""Forbidden phrasing in the agent's own words. The literal phrases of
kb/vocab/forbidden_phrases.yaml catch 稳赚 and 你自己没看清楚; an agent says 本钱指定亏不了 or
係你自己冇睇清楚. A logistic model per kind of forbidden phrasing, over the embedding of each
sentence the agent says and its character pairs, catches the meaning (kb/phrasing.json, fitted by `python -m
evals.fit_phrasing` on written examples in evals/phrasing/: paraphrase and dialect of each kind,
and allowed sentences close to them, such as 这个产品不保本 or deposit insurance for a deposit, and
sentences of banks' documents). The embedding alone blurs the words that carry the kind (保住, 亏不了)
and hears a promise in a plain fact of a wealth product (起购, 递增); the characters keep them.
"""

import json
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kb.errors import KBError
from kb.vocab import alternation, load_checked

_MARKS = load_checked("speech.yaml", lists=("sentence_ends", "clause_ends"))
_SENTENCE_END = re.compile(alternation(_MARKS["sentence_ends"]))
_CLAUSE_END = re.compile(alternation(_MARKS["clause_ends"]))


@dataclass(frozen=True)
class CharGrams:
    """A sentence's characters and character pairs, weighted as scikit-learn's TfidfVectorizer
    (analyzer "char", sublinear tf, l2 norm) weighs them, then scaled by `weight`: the fitting
    uses this same code, so what is fitted is what is read."""
    vocabulary: dict[str, int]
    idf: tuple[float, ...]
    weight: float
    longest: int = 2
    least_norm: float = 0.0  # a short sentence's few grams are not scaled up past a typical one's

    @staticmethod
    def grams_of(sentence: str, longest: int) -> list[str]:
        """Every run of 1 to `longest` characters, lower case, white space as one space."""
        text = " ".join(sentence.lower().split())
        return [text[start:start + n] for n in range(1, longest + 1) for start in range(len(text) - n + 1)]

    def counts(self, sentence: str) -> dict[int, int]:
        found: dict[int, int] = {}
        for gram in self.grams_of(sentence, self.longest):
            index = self.vocabulary.get(gram)
            if index is not None:
                found[index] = found.get(index, 0) + 1
        return found

    def tfidf(self, sentence: str) -> tuple[np.ndarray, np.ndarray]:
        """The indexes of the grams the sentence holds, and their tf-idf, not yet normalized."""
        found = self.counts(sentence)
        indexes = np.fromiter(found, dtype=np.int64, count=len(found))
        return indexes, np.array([(1.0 + math.log(c)) * self.idf[i] for i, c in found.items()])

    def weighted(self, sentence: str) -> tuple[np.ndarray, np.ndarray]:
        """The indexes of the grams the sentence holds, and their weights."""
        indexes, values = self.tfidf(sentence)
        norm = max(float(np.linalg.norm(values)) if len(values) else 0.0, self.least_norm)
        return indexes, (values / norm * self.weight if norm else values)


@dataclass(frozen=True)
class PhrasingModel:
    """One logistic model per kind (its code), over a sentence's embedding in `space`; a kind is
    said when its probability reaches `threshold` (chosen on examples of writers the model was not
    fitted on). A literal phrase of a kind (kb/vocab/forbidden_phrases.yaml) is heard unless the
    model gives that kind less than `veto`, in its sentence and in its clause alike: a phrase
    denied beyond the negation's reach (我没办法跟您保证收益), quoted (网上说稳赚不赔的都是骗人的) or
    ruled out (保本的只有存款)."""
    space: str
    codes: tuple[str, ...]
    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    threshold: float
    min_chars: int = 4
    provenance: dict[str, Any] = field(default_factory=dict)
    grams: CharGrams | None = None
    gram_coef: tuple[tuple[float, ...], ...] = ()
    veto: float = 0.0

    def probabilities(self, vectors: np.ndarray, sentences: list[str] | None = None) -> np.ndarray:
        """One row per sentence, one column per code (the sentences' characters count where the
        model has grams)."""
        z = np.asarray(vectors, dtype=np.float64) @ self._coef.T + self._intercept
        if self.grams is not None and sentences is not None:
            for row, sentence in enumerate(sentences):
                indexes, values = self.grams.weighted(sentence)
                z[row] += self._gram_coef[:, indexes] @ values
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    # The coefficients as arrays, built once: the grams' are thousands of numbers a kind, and every
    # sentence an agent says is read with them.
    @cached_property
    def _coef(self) -> np.ndarray:
        return np.asarray(self.coef, dtype=np.float64)

    @cached_property
    def _intercept(self) -> np.ndarray:
        return np.asarray(self.intercept, dtype=np.float64)

    @cached_property
    def _gram_coef(self) -> np.ndarray:
        return np.asarray(self.gram_coef, dtype=np.float64)

    def codes_said(self, text: str, embed: Callable[[str], list[float]],
                   literal: Callable[[str], set[str]] = lambda sentence: set()) -> set[str]:
        """The kinds of forbidden phrasing some sentence of `text` says: by the model alone, or by
        a literal phrase (`literal`: the kinds a text's phrases name) the model does not veto."""
        said: set[str] = set()
        for sentence in self.sentences_of(text):
            if len(sentence) < self.min_chars:  # too short to embed: its phrases stand
                said |= literal(sentence)
                continue
            row = self.probabilities(np.array([embed(sentence)]), [sentence])[0]
            said |= {code for p, code in zip(row, self.codes) if p >= self.threshold}
            said |= {code for code, p in self.support(sentence, row, literal, embed).items() if p >= self.veto}
        return said

    def support(self, sentence: str, row: np.ndarray, literal: Callable[[str], set[str]],
                embed: Callable[[str], list[float]]) -> dict[str, float]:
        """For each kind the sentence's literal phrases name, the model's probability of it in the
        sentence (`row`), or in a clause holding such a phrase where the model would hear the kind
        in that clause alone: 是你自己没看清楚，你去投诉吧 reads as a whole mostly as an invitation to
        complain, its first clause as blame. (Every clause's own probability vetoes fewer phrases
        denied in their sentence: out of writer, 244 right hits less wrong ones against 246.)"""
        named = literal(sentence) & set(self.codes)
        best = {code: float(row[self.codes.index(code)]) for code in named}
        clauses = [c.strip() for c in _CLAUSE_END.split(sentence) if c.strip() and c.strip() != sentence]
        for clause in clauses:
            if said := literal(clause) & named:
                found = self.probabilities(np.array([embed(clause)]), [clause])[0]
                best |= {code: max(best[code], float(found[self.codes.index(code)]))
                         for code in said if found[self.codes.index(code)] >= self.threshold}
        return best

    def sentences(self, text: str) -> list[str]:
        """What is embedded: each sentence long enough to say something."""
        return [s for s in self.sentences_of(text) if len(s) >= self.min_chars]

    @staticmethod
    def sentences_of(text: str) -> list[str]:
        return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]

    def to_json(self) -> str:
        """One line per field: the grams' vocabulary and coefficients are thousands of numbers."""
        fields = asdict(self)
        return "{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
                                   for k, v in fields.items()) + "\n}"

    @classmethod
    def from_json(cls, text: str) -> "PhrasingModel":
        raw = json.loads(text)
        grams = raw.get("grams")
        return cls(space=raw["space"], codes=tuple(raw["codes"]), coef=tuple(tuple(c) for c in raw["coef"]),
                   intercept=tuple(raw["intercept"]), threshold=float(raw["threshold"]),
                   min_chars=int(raw.get("min_chars", 4)), provenance=raw.get("provenance", {}),
                   grams=None if grams is None else CharGrams(
                       vocabulary=dict(grams["vocabulary"]), idf=tuple(grams["idf"]),
                       weight=float(grams["weight"]), longest=int(grams.get("longest", 2)),
                       least_norm=float(grams.get("least_norm", 0.0))),
                   gram_coef=tuple(tuple(c) for c in raw.get("gram_coef", ())),
                   veto=float(raw.get("veto", 0.0)))


def load_phrasing(path: Path | None = None) -> PhrasingModel | None:
    """The file named by settings, else the packaged kb/phrasing.json, else none (literal
    phrases only)."""
    try:
        if path is not None:
            return PhrasingModel.from_json(Path(path).read_text(encoding="utf-8"))
        packaged = resources.files("kb").joinpath("phrasing.json")
        return PhrasingModel.from_json(packaged.read_text(encoding="utf-8")) if packaged.is_file() else None
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise KBError(f"{path or 'kb/phrasing.json'}: not a fitted phrasing file ({error})") from None
