"""Rules as an editor reads them: each broken rule in Chinese (ui/messages.yaml) under the field's
name as the form labels it; a rule with no Chinese wording is shown as it is."""

import re
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

import yaml

from ui.labels import zh


@dataclass(frozen=True)
class ShownProblem:
    file: str
    field: str   # as the form labels it
    rule: str    # in Chinese where the catalog words it
    code: str    # the field's own name, for a tooltip


@lru_cache(maxsize=1)
def _catalog() -> list[tuple[re.Pattern, str, frozenset[int]]]:
    rules = yaml.safe_load((Path(__file__).parent / "messages.yaml").read_text(encoding="utf-8"))
    return [(re.compile(r["rule"]), r["zh"], frozenset(r.get("translate", ()))) for r in rules]


def in_chinese(rule: str) -> str:
    for pattern, wording, nested in _catalog():
        match = pattern.search(rule)
        if match:
            return re.sub(r"\{(\d)\}", partial(_value, match, nested), wording)
    return rule


def _value(match: re.Match, nested: frozenset[int], slot: re.Match) -> str:
    """The value a {N} slot stands for, itself worded in Chinese where the catalog says it is a rule."""
    number = int(slot.group(1))
    return in_chinese(match.group(number)) if number in nested else match.group(number)


def shown(problem) -> ShownProblem:
    field = getattr(problem, "field", None) or problem["field"]
    return ShownProblem(getattr(problem, "file", None) or problem["file"], zh(field, "field"),
                        in_chinese(getattr(problem, "rule", None) or problem["rule"]), field)
