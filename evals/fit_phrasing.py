"""Fits kb/phrasing.json: which kind of forbidden phrasing an agent's sentence says, in its own
words, from written examples (evals/phrasing/*.jsonl, one file per writer: {"text", "code" (a code
of kb/vocab/forbidden_phrases.yaml, or null for an allowed sentence), "style"}).

Each writer is scored by a model fitted on the others' examples, so the figures printed say how
the model carries to phrasing it never saw. On those out-of-writer probabilities the threshold is
set so that at most ALLOWED_FLAGGED of the allowed sentences are flagged (most of what an agent
says is allowed, so a false alert rate that looks small on a balanced set is many alerts a day),
and the regularization is the one that then catches most forbidden sentences. The model written
is fitted on every writer.

    python -m evals.fit_phrasing                 # report, then write kb/phrasing.json
    python -m evals.fit_phrasing --out /tmp/p.json
"""

import argparse
import datetime as dt
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from evals.provenance import code_version
from kb.config import get_settings
from kb.embeddings import Embedder
from kb.phrasing import PhrasingModel
from kb.vocab import load_yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "evals" / "phrasing"
REGULARIZATIONS = (0.3, 1.0, 3.0, 10.0)
SCALE = 10.0  # unit-length vectors scaled so that the regularization reads as for standardized features
ALLOWED_FLAGGED = 0.01  # of the allowed sentences, out of writer: a false alert mid-call costs the agent


def writers(folder: Path = EXAMPLES) -> dict[str, list[dict]]:
    return {p.stem: [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
            for p in sorted(folder.glob("*.jsonl"))}


def codes() -> tuple[str, ...]:
    return tuple(r["code"] for r in load_yaml("forbidden_phrases.yaml"))


def fit(vectors: np.ndarray, labels: list[str | None], kinds: tuple[str, ...],
        regularization: float) -> tuple[np.ndarray, np.ndarray]:
    """One-vs-rest logistic models: coefficients for raw unit vectors, and intercepts."""
    coef, intercept = [], []
    for code in kinds:
        y = np.array([label == code for label in labels])
        model = LogisticRegression(C=regularization, max_iter=2000).fit(vectors * SCALE, y)
        coef.append(model.coef_[0] * SCALE)
        intercept.append(model.intercept_[0])
    return np.array(coef), np.array(intercept)


def scores(found: np.ndarray, labels: list[str | None], kinds: tuple[str, ...], threshold: float) -> dict:
    """Precision and recall of sentences flagged with the right kind (a sentence flagged with a
    wrong kind counts against precision)."""
    said = found >= threshold
    flagged = sum(int(row.any()) for row in said)
    right = sum(int(label in kinds and row[kinds.index(label)]) for row, label in zip(said, labels))
    wanted = sum(label is not None for label in labels)
    wrongly = sum(int(row.any() and label is None) for row, label in zip(said, labels))
    return {"flagged": flagged, "right": right, "forbidden": wanted, "allowed_flagged": wrongly,
            "allowed": len(labels) - wanted, "precision": round(right / flagged, 3) if flagged else None,
            "recall": round(right / wanted, 3) if wanted else None}


def out_of_writer(data: dict[str, list[dict]], vectors: dict[str, np.ndarray], kinds,
                  regularization: float) -> dict[str, np.ndarray]:
    """Each writer's probabilities from a model fitted on the other writers."""
    found = {}
    for name in data:
        others = [n for n in data if n != name]
        coef, intercept = fit(np.vstack([vectors[n] for n in others]),
                              [e["code"] for n in others for e in data[n]], kinds, regularization)
        found[name] = 1.0 / (1.0 + np.exp(-(vectors[name] @ coef.T + intercept)))
    return found


def threshold_for(found: np.ndarray, labels: list[str | None]) -> float:
    """The lowest threshold that flags at most ALLOWED_FLAGGED of the allowed sentences."""
    allowed = found.max(axis=1)[[label is None for label in labels]]
    return round(float(np.quantile(allowed, 1 - ALLOWED_FLAGGED)), 3)


def choose(data, vectors, labels, kinds) -> tuple[float, float, dict[str, np.ndarray]]:
    """The regularization that catches most forbidden sentences out of writer at the threshold
    its allowed sentences set; that threshold; and its out-of-writer probabilities."""
    pooled = [c for n in data for c in labels[n]]
    best = None
    for regularization in REGULARIZATIONS:
        found = out_of_writer(data, vectors, kinds, regularization)
        threshold = threshold_for(np.vstack(list(found.values())), pooled)
        recall = scores(np.vstack(list(found.values())), pooled, kinds, threshold)["recall"] or 0.0
        print(f"C={regularization}: threshold {threshold}, recall out of writer {recall}")
        if best is None or recall > best[0]:
            best = (recall, regularization, threshold, found)
    assert best is not None
    return best[1], best[2], best[3]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "kb" / "phrasing.json")
    args = parser.parse_args()
    data, kinds = writers(), codes()
    embedder = Embedder(get_settings())
    vectors = {n: np.array([embedder.query(e["text"]) for e in examples]) for n, examples in data.items()}
    labels = {n: [e["code"] for e in examples] for n, examples in data.items()}
    regularization, threshold, found = choose(data, vectors, labels, kinds)
    pooled_labels = [c for n in data for c in labels[n]]
    report = {n: scores(found[n], labels[n], kinds, threshold) for n in data}
    report["pooled"] = scores(np.vstack(list(found.values())), pooled_labels, kinds, threshold)
    for name, s in report.items():
        print(f"{name:12s} {json.dumps(s)}")
    coef, intercept = fit(np.vstack(list(vectors.values())), pooled_labels, kinds, regularization)
    model = PhrasingModel(space=embedder.id, codes=kinds, coef=tuple(tuple(round(float(x), 6) for x in row) for row in coef),
                          intercept=tuple(round(float(x), 6) for x in intercept), threshold=threshold,
                          provenance=provenance(data, report, regularization))
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"C={regularization}, threshold {threshold}; written {args.out}")


def provenance(data: dict[str, list[dict]], report: dict, regularization: float) -> dict:
    return {"fitted_at": dt.datetime.now().isoformat(timespec="seconds"), "code": code_version(),
            "writers": {n: len(examples) for n, examples in data.items()}, "regularization": regularization,
            "allowed_flagged_at_most": ALLOWED_FLAGGED, "out_of_writer": report}


if __name__ == "__main__":
    main()
