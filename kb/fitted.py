"""What retrieval and answering learned from evaluation banks, kept as data (kb/fitted.json).

`python -m evals.fit` writes the file: the weights that fuse the lexical and dense scores, a
logistic model that scores each sentence, list item and row as an answer, the share of the best
unit's score another unit needs to join the answer, a logistic model over the meaning of a question
(its embedding), and a logistic model of answerability with its threshold,
each with the banks, code version and vocabulary it was fitted on. Nothing here is set by hand;
`Fitted()` holds neutral starting values for a knowledge base with no file.
"""

import json
from dataclasses import asdict, dataclass, field
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
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        """One line per part, so that a refit reads as a short diff."""
        parts = [f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in asdict(self).items()]
        return "{\n" + ",\n".join(parts) + "\n}"

    @classmethod
    def from_json(cls, text: str) -> "Fitted":
        raw = json.loads(text)
        models = {k: _linear(raw[k]) if raw.get(k) else None for k in ("units", "answerable")}
        meaning = raw.get("meaning")
        return cls(fusion=Fusion(**raw["fusion"]), selection=Selection(**raw["selection"]),
                   threshold=raw["threshold"], provenance=raw.get("provenance", {}),
                   meaning=VectorModel(meaning["space"], tuple(meaning["coef"]), float(meaning["intercept"]))
                   if meaning else None, **models)


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
