"""What retrieval and answering learned from evaluation banks, kept as data (kb/fitted.json).

`python -m evals.fit` writes the file: the weights that fuse the lexical and dense scores, a
logistic model that scores each sentence, list item and row as an answer, the share of the best
unit's score another unit needs to join the answer, a logistic model over the meaning of a question
(its embedding), the questions of the banks as embeddings (their nearest neighbours' answerability),
and a logistic model of answerability with its threshold,
each with the banks, code version and vocabulary it was fitted on. Nothing here is set by hand;
`Fitted()` holds neutral starting values for a knowledge base with no file.
"""

import base64
import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kb.errors import KBError


@dataclass(frozen=True)
class Fusion:
    """A chunk's retrieval score: weights of its lexical score (BM25 over the best a row could
    reach), its cosine, and its best unit's cosine; bonuses for a document the question names by
    product or asks for by category."""
    lexical: float = 1.0
    dense: float = 0.1
    unit: float = 0.1
    alias_bonus: float = 0.3
    category_bonus: float = 0.2


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression over named features, standardized as at fitting."""
    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def probability(self, rows: np.ndarray) -> np.ndarray:
        """`rows`: one row per case, columns in the order of `features`."""
        z = (np.asarray(rows, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return np.asarray(1.0 / (1.0 + np.exp(-(z @ np.asarray(self.coef) + self.intercept))))

    def contributions(self, row: np.ndarray) -> dict[str, float]:
        """What each feature added to one case's log-odds: why it was decided so."""
        z = (np.asarray(row, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        return dict(zip(self.features, (z * np.asarray(self.coef)).round(3).tolist()))


@dataclass(frozen=True)
class VectorModel:
    """A logistic model over the meaning of a question: its embedding. It holds what other banks
    taught about which kinds of question a bank's documents answer and which they do not (a
    feature no document describes, advice, another bank's product), beyond what the words show;
    `space` names the embedding model whose vectors it reads (no other model's vectors mean
    anything to it)."""
    space: str
    coef: tuple[float, ...]
    intercept: float

    def score(self, vector: np.ndarray) -> float:
        """The log-odds that a question with this embedding is answerable."""
        return float(np.asarray(vector, dtype=np.float64) @ np.asarray(self.coef) + self.intercept)


@dataclass(frozen=True)
class NeighbourModel:
    """The questions of the banks it was fitted on, as embeddings with whether each was
    answerable there: a question is scored by its `k` nearest, weighted by similarity. Where the
    meaning model draws one line through all questions, this reads what was asked nearby (a
    feature that banks' documents seldom describe is asked in many wordings, each close to some
    other bank's). The vectors are unit length, float16, base64 in the file; `space` names the
    embedding model they belong to."""
    space: str
    k: int
    dim: int
    vectors: str       # base64 of float16, one row of `dim` per question
    answerable: str    # one "1" or "0" per question

    @classmethod
    def of(cls, space: str, k: int, vectors: np.ndarray, answerable: np.ndarray) -> "NeighbourModel":
        unit = unit_rows(np.asarray(vectors, dtype=np.float32)).astype(np.float16)
        return cls(space, k, unit.shape[1], base64.b64encode(unit.tobytes()).decode("ascii"),
                   "".join("1" if a else "0" for a in answerable))

    @cached_property
    def _matrix(self) -> np.ndarray:
        raw = np.frombuffer(base64.b64decode(self.vectors), dtype=np.float16)
        return raw.reshape(-1, self.dim).astype(np.float32)

    @cached_property
    def _labels(self) -> np.ndarray:
        return np.array([c == "1" for c in self.answerable], dtype=np.float32)

    def score(self, vector: np.ndarray) -> float:
        """The similarity-weighted share of answerable questions among the `k` nearest."""
        return float(neighbour_scores(self._matrix, self._labels, np.asarray(vector, dtype=np.float32)[None, :],
                                      self.k)[0])


def neighbour_scores(pool: np.ndarray, answerable: np.ndarray, questions: np.ndarray, k: int) -> np.ndarray:
    """For each of `questions`, the similarity-weighted share of answerable ones among its `k`
    nearest in `pool` (rows of unit length)."""
    sims = unit_rows(questions) @ pool.T
    k = min(k, pool.shape[0])
    nearest = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    weights = np.clip(np.take_along_axis(sims, nearest, axis=1), 1e-6, None)
    return np.asarray((answerable[nearest] * weights).sum(axis=1) / weights.sum(axis=1))


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (a zero row stays zero), so a dot product is a cosine."""
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.where(norms > 0, norms, 1.0)


@dataclass(frozen=True)
class Selection:
    """A further unit joins the answer when its score is at least `ratio` of the best unit's
    and at least `floor`, or, holding a word of the question that no unit chosen holds yet (the
    second thing a question asks about), at least `cover_floor`."""
    ratio: float = 0.5
    floor: float = 0.2
    cover_floor: float = 1.0


@dataclass(frozen=True)
class Fitted:
    fusion: Fusion = Fusion()
    units: LinearModel | None = None
    answerable: LinearModel | None = None
    threshold: float = 0.5
    selection: Selection = Selection()
    meaning: VectorModel | None = None
    neighbours: NeighbourModel | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """One line per part, so that a refit reads as a short diff."""
        parts = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in asdict(self).items()]
        return "{\n" + ",\n".join(parts) + "\n}"

    @classmethod
    def from_json(cls, text: str) -> "Fitted":
        raw = json.loads(text)
        models = {k: _linear(raw[k]) if raw.get(k) else None for k in ("units", "answerable")}
        meaning, neighbours = raw.get("meaning"), raw.get("neighbours")
        return cls(fusion=Fusion(**raw["fusion"]), selection=Selection(**raw["selection"]),
                   threshold=raw["threshold"], provenance=raw.get("provenance", {}),
                   meaning=VectorModel(meaning["space"], tuple(meaning["coef"]), float(meaning["intercept"]))
                   if meaning else None, neighbours=NeighbourModel(**neighbours) if neighbours else None, **models)


def _linear(raw: dict[str, Any]) -> LinearModel:
    return LinearModel(features=tuple(raw["features"]), mean=tuple(raw["mean"]), scale=tuple(raw["scale"]),
                       coef=tuple(raw["coef"]), intercept=float(raw["intercept"]))


def load_fitted(path: Path | None = None) -> Fitted:
    """The fitted file named by settings, else the packaged one, else neutral values."""
    try:
        if path is not None:
            return Fitted.from_json(Path(path).read_text(encoding="utf-8"))
        packaged = resources.files("kb").joinpath("fitted.json")
        return Fitted.from_json(packaged.read_text(encoding="utf-8")) if packaged.is_file() else Fitted()
    except (OSError, KeyError, TypeError, ValueError) as error:
        raise KBError(f"{path or 'kb/fitted.json'}: not a fitted ranking file ({error})") from None
