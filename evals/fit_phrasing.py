"""Fits kb/phrasing.json: which kind of forbidden phrasing an agent's sentence says, in its own
words, from written examples (evals/phrasing/*.jsonl, one file per writer: {"text", "code" (a code
of kb/vocab/forbidden_phrases.yaml, or null for an allowed sentence), "style"}), plus sentences of
the read banks' documents as allowed speech (what a document says, an agent may say).

The model reads each sentence's embedding and its characters and character pairs (kb.phrasing.
CharGrams), their weight against the embedding chosen with the regularization. Each writer is
scored by a model fitted on the others' examples, so the figures printed say how the model carries
to phrasing it never saw; each read bank's document sentences are scored by a model fitted without
them. On the writers' out-of-writer probabilities the threshold is set so that at most
ALLOWED_FLAGGED of their allowed sentences are flagged (most of what an agent says is allowed, so a
false alert rate that looks small on a balanced set is many alerts a day), and the regularization
and gram weight are the ones that then catch most forbidden sentences. On the same probabilities
the veto of a literal phrase is set: the examples that say a literal phrase are mostly forbidden,
but some deny it beyond the negation's reach or quote it, and the veto is the probability (of the
phrase's kind, in its sentence or its clause, by the model fitted without the example's writer)
below which dropping the phrase's kind is right more often than wrong. The model written is fitted on
every writer and every read bank.

    python -m evals.fit_phrasing                 # report, then write kb/phrasing.json
    python -m evals.fit_phrasing --out /tmp/p.json
"""

import argparse
import datetime as dt
import json
import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.linear_model import LogisticRegression

from evals.banks import sealed
from evals.provenance import code_version
from ingest.loaders import split_front_matter
from kb.compliance import DraftChecker
from kb.config import get_settings
from kb.embeddings import Embedder
from kb.markdown import sections
from kb.phrasing import CharGrams, PhrasingModel
from kb.vocab import load_yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "evals" / "phrasing"
BANKS = ROOT / "evals" / "banks"
REGULARIZATIONS = (1.0, 3.0, 10.0)
GRAM_WEIGHTS = (0.0, 3.0, 10.0, 30.0)  # the grams' norm against the embedding's SCALE; 0: no grams
# A sentence's grams are scaled to unit length, but never by more than a sentence of this quantile
# of the examples' lengths would be: 喂，您讲 has three grams, and each alone would weigh as much as
# all of a full sentence's. The median: out of writer recall 0.939 -> 0.922 at the same 1%, read
# calls' precision 0.913 -> 0.923.
LEAST_NORM_QUANTILE = 0.5
GRAM_MIN_EXAMPLES = 3  # a gram fewer examples hold says more of a writer than of a kind
SCALE = 10.0  # unit-length vectors scaled so that the regularization reads as for standardized features
ALLOWED_FLAGGED = 0.01  # of the allowed sentences, out of writer: a false alert mid-call costs the agent
DOCUMENT_SENTENCES = 200  # per read bank, drawn at random (seeded): as many as one writer's allowed lines
DOCUMENT_MIN_CHARS = 8


@dataclass(frozen=True)
class Examples:
    texts: list[str]
    labels: list[str | None]
    vectors: np.ndarray

    @staticmethod
    def joined(parts: list["Examples"]) -> "Examples":
        return Examples([t for p in parts for t in p.texts], [c for p in parts for c in p.labels],
                        np.vstack([p.vectors for p in parts]))


def writers(folder: Path = EXAMPLES) -> dict[str, list[dict]]:
    return {p.stem: [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
            for p in sorted(folder.glob("*.jsonl"))}


def codes() -> tuple[str, ...]:
    return tuple(r["code"] for r in load_yaml("forbidden_phrases.yaml"))


def document_sentences(corpus: Path, literal: tuple[str, ...]) -> list[str]:
    """Sentences of a bank's Markdown documents (not tables or headings), none holding a literal
    forbidden phrase (a compliance script quotes what not to say), a seeded sample."""
    found = []
    for path in sorted(corpus.rglob("*.md")):
        _, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
        for _, text in sections(body):
            found += [s for line in text.splitlines() if not line.lstrip().startswith("|")
                      for s in PhrasingModel.sentences_of(line.lstrip("-*> ").replace("**", ""))
                      if len(s) >= DOCUMENT_MIN_CHARS and not any(p in s for p in literal)]
    random.Random(0).shuffle(found)
    return found[:DOCUMENT_SENTENCES]


def read_banks() -> dict[str, list[str]]:
    """Each read bank's document sentences (sealed banks stay unread)."""
    literal = tuple(p for r in load_yaml("forbidden_phrases.yaml") for p in r["phrases"])
    return {folder.name: document_sentences(folder / "corpus", literal)
            for folder in sorted(BANKS.iterdir()) if (folder / "corpus").is_dir() and folder.name not in sealed()}


def char_grams(texts: list[str], weight: float) -> CharGrams:
    """The characters and pairs at least GRAM_MIN_EXAMPLES texts hold, with their smoothed idf."""
    held = Counter(g for t in texts for g in set(CharGrams.grams_of(t, 2)))
    kept = sorted(g for g, n in held.items() if n >= GRAM_MIN_EXAMPLES)
    idf = tuple(round(math.log((1 + len(texts)) / (1 + held[g])) + 1.0, 6) for g in kept)
    grams = CharGrams(vocabulary={g: i for i, g in enumerate(kept)}, idf=idf, weight=weight)
    norms = [float(np.linalg.norm(grams.tfidf(t)[1])) for t in texts]
    return replace(grams, least_norm=round(float(np.quantile(norms, LEAST_NORM_QUANTILE)), 6))


def features(examples: Examples, grams: CharGrams | None) -> csr_matrix:
    dense = csr_matrix(examples.vectors * SCALE)
    if grams is None:
        return dense
    rows = [grams.weighted(t) for t in examples.texts]
    sparse = csr_matrix((np.concatenate([v for _, v in rows]), np.concatenate([i for i, _ in rows]),
                         np.cumsum([0] + [len(i) for i, _ in rows])), shape=(len(rows), len(grams.idf)))
    return hstack([dense, sparse]).tocsr()


def fit(train: Examples, kinds: tuple[str, ...], regularization: float, weight: float) -> PhrasingModel:
    """One-vs-rest logistic models over the embedding and (weight > 0) the grams; no threshold yet."""
    grams = char_grams(train.texts, weight) if weight else None
    x, dim = features(train, grams), train.vectors.shape[1]
    coef, intercept, gram_coef = [], [], []
    for code in kinds:
        model = LogisticRegression(C=regularization, max_iter=3000).fit(x, [label == code for label in train.labels])
        coef.append(tuple(round(float(c) * SCALE, 6) for c in model.coef_[0][:dim]))
        gram_coef.append(tuple(round(float(c), 6) for c in model.coef_[0][dim:]))
        intercept.append(round(float(model.intercept_[0]), 6))
    return PhrasingModel(space="", codes=kinds, coef=tuple(coef), intercept=tuple(intercept), threshold=1.0,
                         grams=grams, gram_coef=tuple(gram_coef) if grams else ())


def probabilities(model: PhrasingModel, examples: Examples) -> np.ndarray:
    return model.probabilities(examples.vectors, examples.texts)


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


def writer_models(data: dict[str, Examples], documents: Examples, kinds, regularization: float,
                  weight: float) -> dict[str, PhrasingModel]:
    """For each writer, a model fitted on the other writers and the documents."""
    return {name: fit(Examples.joined([data[n] for n in data if n != name] + [documents]), kinds, regularization,
                      weight) for name in data}


def out_of_writer(data: dict[str, Examples], documents: Examples, kinds, regularization: float,
                  weight: float) -> dict[str, np.ndarray]:
    """Each writer's probabilities from a model fitted on the other writers and the documents."""
    return {name: probabilities(model, data[name])
            for name, model in writer_models(data, documents, kinds, regularization, weight).items()}


def out_of_bank(data: dict[str, Examples], banks: dict[str, Examples], kinds, regularization: float,
                weight: float, threshold: float) -> dict:
    """How many of each read bank's document sentences a model fitted without them flags."""
    flagged = 0
    for name, sentences in banks.items():
        train = Examples.joined(list(data.values()) + [banks[b] for b in banks if b != name])
        flagged += int((probabilities(fit(train, kinds, regularization, weight), sentences).max(axis=1)
                        >= threshold).sum())
    return {"flagged": flagged, "sentences": sum(len(b.texts) for b in banks.values())}


def threshold_for(found: np.ndarray, labels: list[str | None]) -> float:
    """The lowest threshold that flags at most ALLOWED_FLAGGED of the allowed sentences."""
    allowed = found.max(axis=1)[[label is None for label in labels]]
    return round(float(np.quantile(allowed, 1 - ALLOWED_FLAGGED)), 3)


def literal_hits(models: dict[str, PhrasingModel], data: dict[str, Examples],
                 embed: Callable[[str], list[float]]) -> list[tuple[float, bool]]:
    """Each kind an example's literal phrases name, with the probability that the model fitted
    without its writer gives it (read as at run time, kb.phrasing.PhrasingModel.support), and
    whether the kind is the example's own."""
    checker = DraftChecker.load()
    hits = []
    for name, model in models.items():
        for text, label, row in zip(data[name].texts, data[name].labels, probabilities(model, data[name])):
            bare = checker.bare(text, model.min_chars)  # a phrase that is its whole sentence stands
            hits += [(p, code == label) for code, p in model.support(text, row, checker.literal, embed).items()
                     if code not in bare]
    return hits


def veto_for(hits: list[tuple[float, bool]]) -> float:
    """The lowest veto that keeps the most literal hits of the right kind less those of a wrong
    kind (an example that says a kind's phrase, labelled otherwise)."""
    def gain(veto: float) -> int:
        return sum(1 if right else -1 for p, right in hits if p >= veto)
    return round(max(sorted({0.0, *(p for p, _ in hits)}), key=lambda v: (gain(v), -v)), 3)


def choose(data: dict[str, Examples], documents: Examples, kinds) -> tuple[float, float, float, dict]:
    """The regularization and gram weight that catch most forbidden sentences out of writer at the
    threshold their allowed sentences set; that threshold; and the out-of-writer probabilities."""
    pooled = [c for n in data for c in data[n].labels]
    best = None
    for regularization in REGULARIZATIONS:
        for weight in GRAM_WEIGHTS:
            found = out_of_writer(data, documents, kinds, regularization, weight)
            threshold = threshold_for(np.vstack(list(found.values())), pooled)
            recall = scores(np.vstack(list(found.values())), pooled, kinds, threshold)["recall"] or 0.0
            print(f"C={regularization} grams x{weight}: threshold {threshold}, recall out of writer {recall}", flush=True)
            if best is None or recall > best[0]:
                best = (recall, regularization, weight, threshold, found)
    assert best is not None
    return best[1], best[2], best[3], best[4]


def embedded(texts: list[str], labels: list[str | None], embedder: Embedder) -> Examples:
    return Examples(texts, labels, np.array([embedder.query(t) for t in texts]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "kb" / "phrasing.json")
    args = parser.parse_args()
    kinds, embedder = codes(), Embedder(get_settings())
    data = {n: embedded([e["text"] for e in ex], [e["code"] for e in ex], embedder) for n, ex in writers().items()}
    banks = {b: embedded(s, [None] * len(s), embedder) for b, s in read_banks().items()}
    documents = Examples.joined(list(banks.values()))
    regularization, weight, threshold, found = choose(data, documents, kinds)
    veto = veto_for(literal_hits(writer_models(data, documents, kinds, regularization, weight), data,
                                 embedder.query))
    report = {n: scores(found[n], data[n].labels, kinds, threshold) for n in data}
    report["pooled"] = scores(np.vstack(list(found.values())), [c for n in data for c in data[n].labels],
                              kinds, threshold)
    report["documents, out of bank"] = out_of_bank(data, banks, kinds, regularization, weight, threshold)
    for name, s in report.items():
        print(f"{name:12s} {json.dumps(s)}")
    fitted = fit(Examples.joined(list(data.values()) + [documents]), kinds, regularization, weight)
    model = replace(fitted, space=embedder.id, threshold=threshold, veto=veto,
                    provenance=provenance(data, banks, report, regularization, weight))
    args.out.write_text(model.to_json() + "\n", encoding="utf-8")
    print(f"C={regularization}, grams x{weight}, threshold {threshold}, veto {veto}; written {args.out}")


def provenance(data: dict[str, Examples], banks: dict[str, Examples], report: dict, regularization: float,
               weight: float) -> dict:
    return {"fitted_at": dt.datetime.now().isoformat(timespec="seconds"), "code": code_version(),
            "writers": {n: len(e.texts) for n, e in data.items()},
            "document_sentences": {n: len(e.texts) for n, e in banks.items()},
            "regularization": regularization, "gram_weight": weight,
            "allowed_flagged_at_most": ALLOWED_FLAGGED, "out_of_writer": report}


if __name__ == "__main__":
    main()
