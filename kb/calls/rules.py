"""The scorecard's rules, as data (kb/vocab/scorecard.yaml): the phrases that show each item of
the service process and the weight a finding of each item costs."""

from dataclasses import dataclass

from kb.errors import KBError
from kb.text import normalize_for_match
from kb.vocab import load_yaml

KINDS = ("no_greeting", "no_closing", "identity_not_verified", "wrong_figure", "missing_disclosure",
         "forbidden_phrase", "complaint_step_missing", "escalation_missed")
STEPS = ("empathy", "facts", "resolution", "follow_up")


def _phrases(values: object, where: str) -> tuple[str, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str | int) for v in values) or not values:
        raise KBError(f"kb/vocab/scorecard.yaml: {where}: must be a list of phrases")
    return tuple(normalize_for_match(str(v)) for v in values)


def said(text: str, phrases: tuple[str, ...]) -> bool:
    """Whether normalized speech holds any of the phrases."""
    return any(p in text for p in phrases)


@dataclass(frozen=True)
class ScorecardRules:
    weights: dict[str, int]
    greeting: tuple[tuple[str, ...], ...]
    closing: tuple[str, ...]
    closing_window: int
    verify: tuple[str, ...]
    verified: tuple[str, ...]
    request: tuple[str, ...]
    act: tuple[str, ...]
    complaint_situations: frozenset[str]
    steps: dict[str, tuple[str, ...]]
    step_weights: dict[str, int]
    escalate: tuple[str, ...]
    covered_share: float
    answer_reach: int
    attribute_pairs: int
    contradiction_pairs: int
    corroborating_docs: int
    any_product_categories: frozenset[str]
    attribute_chars: int
    label_chars: int
    lead_chars: int
    computed: tuple[str, ...]
    own_account: tuple[str, ...]
    example: tuple[str, ...]
    at_most: tuple[str, ...]
    owing_categories: frozenset[str]

    @classmethod
    def load(cls) -> "ScorecardRules":
        raw = load_yaml("scorecard.yaml")
        try:
            steps = raw["complaint"]["steps"]
            return cls(
                weights={kind: int(raw[_item(kind)]["weight"]) for kind in KINDS if kind != "complaint_step_missing"},
                greeting=tuple(_phrases(g, "greeting.groups") for g in raw["greeting"]["groups"]),
                closing=_phrases(raw["closing"]["cues"], "closing.cues"),
                closing_window=int(raw["closing"]["last_utterances"]),
                verify=_phrases(raw["identity"]["verify_cues"], "identity.verify_cues"),
                verified=_phrases(raw["identity"]["verified_cues"], "identity.verified_cues"),
                request=_phrases(raw["identity"]["request_cues"], "identity.request_cues"),
                act=_phrases(raw["identity"]["act_cues"], "identity.act_cues"),
                complaint_situations=frozenset(raw["complaint"]["situations"]),
                steps={s: _phrases(steps[s]["cues"], f"complaint.steps.{s}.cues") for s in STEPS},
                step_weights={s: int(steps[s]["weight"]) for s in STEPS},
                escalate=_phrases(raw["escalation"]["escalate_cues"], "escalation.escalate_cues"),
                covered_share=float(raw["missing_disclosure"]["covered_share"]),
                answer_reach=int(raw["wrong_figure"]["answer_reach"]),
                attribute_pairs=int(raw["wrong_figure"]["attribute_pairs"]),
                contradiction_pairs=int(raw["wrong_figure"]["contradiction_pairs"]),
                corroborating_docs=int(raw["wrong_figure"]["corroborating_docs"]),
                any_product_categories=frozenset(raw["wrong_figure"]["any_product_categories"]),
                attribute_chars=int(raw["wrong_figure"]["attribute_chars"]),
                label_chars=int(raw["wrong_figure"]["label_chars"]),
                lead_chars=int(raw["wrong_figure"]["lead_chars"]),
                computed=_phrases(raw["wrong_figure"]["computed_cues"], "wrong_figure.computed_cues"),
                own_account=_phrases(raw["wrong_figure"]["own_account_cues"], "wrong_figure.own_account_cues"),
                example=_phrases(raw["wrong_figure"]["example_cues"], "wrong_figure.example_cues"),
                at_most=_phrases(raw["wrong_figure"]["at_most_cues"], "wrong_figure.at_most_cues"),
                owing_categories=frozenset(raw["missing_disclosure"]["categories"]))
        except (KeyError, TypeError, ValueError) as error:
            raise KBError(f"kb/vocab/scorecard.yaml: missing or malformed {error}") from None

    def weight(self, kind: str, step: str | None = None) -> int:
        return self.step_weights[step] if kind == "complaint_step_missing" and step else self.weights.get(kind, 0)


def _item(kind: str) -> str:
    return {"no_greeting": "greeting", "no_closing": "closing", "identity_not_verified": "identity",
            "escalation_missed": "escalation"}.get(kind, kind)
