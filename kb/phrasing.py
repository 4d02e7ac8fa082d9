"""Forbidden phrasing in the agent's own words. The literal phrases of
kb/vocab/forbidden_phrases.yaml catch 稳赚 and 你自己没看清楚; an agent says 本钱指定亏不了 or
係你自己冇睇清楚. A logistic model per kind of forbidden phrasing, over the embedding of each
sentence the agent says, catches the meaning (kb/phrasing.json, fitted by `python -m
evals.fit_phrasing` on written examples in evals/phrasing/: paraphrase and dialect of each kind,
and allowed sentences close to them, such as 这个产品不保本 or deposit insurance for a deposit).
"""

import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from kb.errors import KBError
from kb.vocab import alternation, load_checked

_MARKS = load_checked("speech.yaml", lists=("sentence_ends",))
_SENTENCE_END = re.compile(alternation(_MARKS["sentence_ends"]))


@dataclass(frozen=True)
class PhrasingModel:
    """One logistic model per kind (its code), over a sentence's embedding in `space`; a kind is
    said when its probability reaches `threshold` (chosen on examples of writers the model was not
    fitted on)."""
    space: str
    codes: tuple[str, ...]
    coef: tuple[tuple[float, ...], ...]
    intercept: tuple[float, ...]
    threshold: float
    min_chars: int = 4
    provenance: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, vectors: np.ndarray) -> np.ndarray:
        """One row per sentence, one column per code."""
        z = np.asarray(vectors, dtype=np.float64) @ np.asarray(self.coef).T + np.asarray(self.intercept)
        return np.asarray(1.0 / (1.0 + np.exp(-z)))

    def codes_said(self, text: str, embed: Callable[[str], list[float]]) -> set[str]:
        """The kinds of forbidden phrasing some sentence of `text` says."""
        sentences = self.sentences(text)
        if not sentences:
            return set()
        said = self.probabilities(np.array([embed(s) for s in sentences])) >= self.threshold
        return {code for j, code in enumerate(self.codes) if said[:, j].any()}

    def sentences(self, text: str) -> list[str]:
        """What is embedded: each sentence long enough to say something."""
        return [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= self.min_chars]

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> "PhrasingModel":
        raw = json.loads(text)
        return cls(space=raw["space"], codes=tuple(raw["codes"]), coef=tuple(tuple(c) for c in raw["coef"]),
                   intercept=tuple(raw["intercept"]), threshold=float(raw["threshold"]),
                   min_chars=int(raw.get("min_chars", 4)), provenance=raw.get("provenance", {}))


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
