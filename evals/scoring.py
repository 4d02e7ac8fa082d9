"""The contract's scoring (section 3): per-item verdicts and every reported figure."""

from collections import defaultdict

import numpy as np

from kb.text import normalize_for_match

HIT_KS = (1, 3, 5)


def fact_present(fact: str, text: str) -> bool:
    """A key fact is alternatives separated by '|'; any one found in the normalized text counts."""
    normalized = normalize_for_match(text)
    return any(normalize_for_match(alt) in normalized for alt in fact.split("|") if alt.strip())


def is_correct(item: dict, response: dict | None) -> bool:
    if response is None:
        return False
    answer = response["answer"]
    if not item["answerable"]:
        return answer["status"] == "no_answer"
    expected = set(item.get("expected_doc_ids", []))
    cited = {c["doc_id"] for c in answer.get("citations", [])}
    return (answer["status"] == "answered" and bool(cited & expected)
            and all(fact_present(f, answer.get("text", "")) for f in item.get("key_facts", [])))


def reciprocal_rank(expected: set[str], ranked: list[str]) -> float:
    return next((1.0 / n for n, doc in enumerate(ranked, 1) if doc in expected), 0.0)


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def figures(results: list[dict]) -> dict:
    """results: {item, response, retrieved, latency_ms} per item, in dataset order."""
    verdicts = [is_correct(r["item"], r["response"]) for r in results]
    groups = {"category": defaultdict(list), "tag": defaultdict(list)}
    for result, ok in zip(results, verdicts):
        groups["category"][result["item"].get("category", "")].append(ok)
        for tag in result["item"].get("tags", []):
            groups["tag"][tag].append(ok)
    answerable = [(r, ok) for r, ok in zip(results, verdicts) if r["item"]["answerable"]]
    unanswerable = [ok for r, ok in zip(results, verdicts) if not r["item"]["answerable"]]
    out = {
        "items": len(results),
        "correct": sum(verdicts),
        "accuracy": _ratio(sum(verdicts), len(results)) or 0.0,
        "answerable_accuracy": _ratio(sum(ok for _, ok in answerable), len(answerable)),
        "unanswerable_accuracy": _ratio(sum(unanswerable), len(unanswerable)),
        "per_category": {k: _group(v) for k, v in sorted(groups["category"].items())},
        "per_tag": {k: _group(v) for k, v in sorted(groups["tag"].items())},
        **_retrieval_figures([r for r, _ in answerable]),
        "citation_precision": _citation_precision(results),
        "disclosure_recall": _disclosure_recall(results),
        **_latency(results),
        **_answering(results),
        "errors": sum(1 for r in results if r["response"] is None),
    }
    return out


def _answering(results: list[dict]) -> dict:
    """How answers are given: the share of answerable items refused, of unanswerable items
    answered, and the median length of an answer."""
    def answered(r):
        return r["response"] is not None and r["response"]["answer"]["status"] == "answered"

    answerable = [answered(r) for r in results if r["item"]["answerable"]]
    unanswerable = [answered(r) for r in results if not r["item"]["answerable"]]
    lengths = [len(r["response"]["answer"]["text"]) for r in results if answered(r)]
    return {"answerable_refused": _ratio(len(answerable) - sum(answerable), len(answerable)),
            "unanswerable_answered": _ratio(sum(unanswerable), len(unanswerable)),
            "answer_chars_p50": float(np.median(lengths)) if lengths else None}


def _group(verdicts: list[bool]) -> dict:
    return {"items": len(verdicts), "accuracy": sum(verdicts) / len(verdicts)}


def _retrieval_figures(results: list[dict]) -> dict:
    scored = [r for r in results if r["item"].get("expected_doc_ids")]
    ranks = [reciprocal_rank(set(r["item"]["expected_doc_ids"]), r.get("retrieved") or []) for r in scored]
    out = {f"hit@{k}": _ratio(sum(rr >= 1.0 / k for rr in ranks), len(ranks)) for k in HIT_KS}
    out["mrr"] = _ratio(sum(ranks), len(ranks))
    return out


def _citation_precision(results: list[dict]) -> float | None:
    cited = expected = 0
    for r in results:
        if r["response"] is None:
            continue
        wanted = set(r["item"].get("expected_doc_ids", []))
        for citation in r["response"]["answer"].get("citations", []):
            cited += 1
            expected += citation["doc_id"] in wanted
    return _ratio(expected, cited)


def _disclosure_recall(results: list[dict]) -> float | None:
    required = returned = 0
    for r in results:
        wanted = set(r["item"].get("required_disclosures", []))
        got = {d["doc_id"] for d in (r["response"] or {}).get("disclosures", [])}
        required += len(wanted)
        returned += len(wanted & got)
    return _ratio(returned, required)


def percentile(values, q: float) -> float:
    """The q-th percentile (numpy's linear interpolation); NaN for no values. Every figure of the
    reports and benchmarks is computed here, so that p95 means one thing throughout."""
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


def _latency(results: list[dict]) -> dict:
    values = [r["latency_ms"] for r in results if r.get("latency_ms") is not None]
    if not values:
        return {"latency_p50_ms": None, "latency_p95_ms": None}
    return {"latency_p50_ms": percentile(values, 50), "latency_p95_ms": percentile(values, 95)}
