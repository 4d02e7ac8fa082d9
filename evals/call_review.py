"""How well the quality check of calls finds what inspectors find: recorded calls
(evals/calls/*/ *.jsonl, each with its expected findings) are listened to through the product's
own listener, and the findings compared, kind by kind; and how often the right document was
suggested within one utterance of the customer's question.

A found finding matches an expected one of the same kind (and step), at the same utterance or the
next or previous one, naming the same document where the kind names one; each is matched once.
"""

import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evals.scoring import percentile
from kb.calls.listening import CallListener
from kb.calls.models import Scorecard
from kb.calls.rules import KINDS, ScorecardRules
from kb.calls.transcript import Transcript, read_transcript
from kb.knowledge_base import KnowledgeBase

NEAR = 1  # utterances either side at which a finding still counts as the one expected
NAMES_DOCUMENT = ("wrong_figure", "missing_disclosure")


@dataclass
class CallOutcome:
    call_id: str
    scorecard: Scorecard
    expected: list[dict[str, Any]]
    matched: int
    suggestions_expected: int
    suggestions_hit: int
    latencies_ms: list[float] = field(default_factory=list)
    coverage: list[tuple[float, bool]] = field(default_factory=list)


def transcripts(folder: Path) -> list[Path]:
    """Every recorded call under the folder, in name order."""
    return sorted(folder.rglob("*.jsonl"))


def listen(kb: KnowledgeBase, transcript: Transcript, rules: ScorecardRules) -> tuple[CallListener, list[float]]:
    """The call heard utterance by utterance, as the live panel hears it; each utterance's time."""
    listener = CallListener(kb, transcript.call_id, transcript.day, rules)
    latencies = []
    for spoken in transcript.utterances:
        started = time.perf_counter()
        listener.hear(spoken)
        latencies.append((time.perf_counter() - started) * 1000)
    return listener, latencies


def review(kb: KnowledgeBase, path: Path, rules: ScorecardRules) -> CallOutcome:
    transcript = read_transcript(path)
    listener, latencies = listen(kb, transcript, rules)
    card = listener.scorecard(transcript.agent)
    expected = [f for f in transcript.qa.get("findings", []) if isinstance(f, dict)]
    wanted = [s for s in transcript.qa.get("suggestions", []) if isinstance(s, dict)]
    owed_unread = {f.get("doc_id") for f in expected if f.get("kind") == "missing_disclosure"}
    return CallOutcome(
        call_id=transcript.call_id, scorecard=card, expected=expected,
        matched=len(matches(card, expected)), suggestions_expected=len(wanted),
        suggestions_hit=sum(_suggested(card, s) for s in wanted), latencies_ms=latencies,
        coverage=[(item.covered, item.doc_id not in owed_unread) for item in listener.checklist()])


def matches(card: Scorecard, expected: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Pairs (found, expected) matched one to one, the nearest utterance first."""
    pairs, taken = [], set()
    for i, found in enumerate(card.findings):
        for j, wanted in enumerate(expected):
            if j not in taken and _same(found, wanted):
                pairs.append((i, j))
                taken.add(j)
                break
    return pairs


def _same(found, wanted: dict[str, Any]) -> bool:
    if found.kind != wanted.get("kind") or (wanted.get("step") and found.step != wanted.get("step")):
        return False
    if found.kind in NAMES_DOCUMENT and wanted.get("doc_id") and found.doc_id != wanted.get("doc_id"):
        return False
    near = wanted.get("utterance")
    return near is None or found.utterance is None or abs(found.utterance - int(near)) <= NEAR


def _suggested(card: Scorecard, wanted: dict[str, Any]) -> bool:
    at = int(wanted.get("utterance", 0))
    return any(doc == wanted.get("doc_id") and at <= number <= at + NEAR for number, doc in card.suggested)


def figures(outcomes: list[CallOutcome]) -> dict[str, Any]:
    """Precision and recall of the findings by kind and in all, the suggestions' hit rate, the
    share of calls scored exactly, and each utterance's listening time."""
    found = Counter(f.kind for o in outcomes for f in o.scorecard.findings)
    wanted = Counter(str(f.get("kind")) for o in outcomes for f in o.expected)
    hit = Counter()
    for o in outcomes:
        for i, _ in matches(o.scorecard, o.expected):
            hit[o.scorecard.findings[i].kind] += 1
    by_kind = {k: _pr(hit[k], found[k], wanted[k]) for k in KINDS if found[k] or wanted[k]}
    latencies = [ms for o in outcomes for ms in o.latencies_ms]
    suggested = sum(o.suggestions_expected for o in outcomes)
    return {"calls": len(outcomes), **_pr(sum(hit.values()), sum(found.values()), sum(wanted.values())),
            "by_kind": by_kind,
            "suggestion_hit": sum(o.suggestions_hit for o in outcomes) / suggested if suggested else None,
            "calls_exact": sum(_exact(o) for o in outcomes) / max(1, len(outcomes)),
            "utterance_p50_ms": percentile(latencies, 50), "utterance_p95_ms": percentile(latencies, 95)}


def _exact(o: CallOutcome) -> bool:
    return o.matched == len(o.expected) == len(o.scorecard.findings)


def _pr(hit: int, found: int, wanted: int) -> dict[str, Any]:
    return {"found": found, "expected": wanted, "matched": hit,
            "precision": hit / found if found else None, "recall": hit / wanted if wanted else None}


def fit_covered_share(outcomes: list[CallOutcome]) -> float | None:
    """The share of a disclosure's character pairs that best tells read from skipped (the
    midpoint of the widest gap that misclassifies fewest), or None without both kinds."""
    points = sorted(p for o in outcomes for p in o.coverage)
    if not any(read for _, read in points) or all(read for _, read in points):
        return None
    best = min(range(len(points) + 1), key=lambda i: (_errors(points, i), -_gap(points, i)))
    low = points[best - 1][0] if best > 0 else 0.0
    high = points[best][0] if best < len(points) else 1.0
    return round((low + high) / 2, 3)


def _errors(points: list[tuple[float, bool]], cut: int) -> int:
    return sum(read for _, read in points[:cut]) + sum(not read for _, read in points[cut:])


def _gap(points: list[tuple[float, bool]], cut: int) -> float:
    low = points[cut - 1][0] if cut > 0 else 0.0
    high = points[cut][0] if cut < len(points) else 1.0
    return high - low


def evaluate_call_sets(kb: KnowledgeBase, folder: Path) -> dict[str, Any]:
    """Each writer's folder (or the folder itself) and all together; sealed folders (listed in
    FOLDER/sealed.txt) are reported as totals only and never fitted on."""
    rules = ScorecardRules.load()
    kb.warm_up()
    sets = sorted({p.parent for p in transcripts(folder)})
    sealed = _sealed(folder)
    outcomes = {s.name: [review(kb, p, rules) for p in transcripts(s)] for s in sets}
    read = [o for name, found in outcomes.items() if name not in sealed for o in found]
    return {"sets": {name: figures(found) for name, found in outcomes.items()},
            "all": figures([o for found in outcomes.values() for o in found]), "read": figures(read),
            "sealed": sorted(sealed), "fitted_covered_share": fit_covered_share(read),
            "covered_share": rules.covered_share}


def _sealed(folder: Path) -> set[str]:
    listed = folder / "sealed.txt"
    if not listed.is_file():
        return set()
    return {line.strip() for line in listed.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")}
