"""The core's words to an agent, from kb/vocab/messages.yaml: checked once on load against the
fields each message is formatted with, so that a broken file fails at start-up."""

import string
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, cast

from kb.errors import KBError
from kb.vocab import load_yaml

FIELDS = {
    "no_answer": set(), "escalate": set(), "suitability_check": {"title", "risk_level"},
    "rule_changes": {"title", "last_day", "days"}, "personal_data": {"kinds"},
    "missing_disclosure_of": {"title", "names"}, "missing_disclosure_named": {"title"},
    "missing_disclosure_any": set(), "missing_wealth_disclosure": set(), "list_separator": set(),
    "call_no_greeting": set(), "call_no_closing": set(), "call_identity_not_verified": set(),
    "call_wrong_figure": {"stated", "title", "quote"},
    "call_outdated_figure": {"stated", "old", "version", "title", "quote"}, "call_missing_disclosure": {"title"},
    "call_complaint_step_missing": {"step"}, "call_escalation_missed": set(),
}


@lru_cache(maxsize=1)
def _messages() -> dict[str, Any]:
    found = load_yaml("messages.yaml")
    for key, fields in FIELDS.items():
        used = {name for _, name, _, _ in string.Formatter().parse(found.get(key) or "") if name}
        if not isinstance(found.get(key), str) or used != fields:
            raise KBError(f"kb/vocab/messages.yaml: {key}: must be a text using the fields {sorted(fields)}")
    if not isinstance(found.get("personal_data_kinds"), dict):
        raise KBError("kb/vocab/messages.yaml: personal_data_kinds: must map each kind to its name")
    if not isinstance(found.get("call_steps"), dict):
        raise KBError("kb/vocab/messages.yaml: call_steps: must map each complaint step to its name")
    return cast(dict[str, Any], found)


def message(key: str, **fields: object) -> str:
    return str(_messages()[key]).format(**fields)


def kind_name(kind: str) -> str:
    """What the agent calls a kind of personal data (银行卡号 for card_number)."""
    return str(_messages()["personal_data_kinds"].get(kind, kind))


def joined(items: Iterable[str]) -> str:
    return str(_messages()["list_separator"]).join(items)


def step_name(step: str) -> str:
    """What the scorecard calls a complaint step (共情安抚 for empathy)."""
    return str(_messages()["call_steps"].get(step, step))
