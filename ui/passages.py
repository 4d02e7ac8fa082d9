"""How the panel shows an answer: a citation's quote within its section, a script's steps."""

import json
import re
from dataclasses import dataclass

from kb.models import AssistResponse

_STEP = re.compile(r"^\s*\d+[.、)）]\s*")


@dataclass
class Passage:
    before: str
    quote: str
    after: str


def passage(section_text: str, quote: str) -> Passage:
    """The section split around the quote (the quote alone when the section no longer holds it)."""
    at = section_text.find(quote)
    if at < 0:
        return Passage("", quote, "")
    return Passage(section_text[:at], quote, section_text[at + len(quote):])


def script_steps(text: str) -> list[str]:
    """The numbered steps of a script section, or its non-empty lines when it has no numbers."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    steps = [_STEP.sub("", line) for line in lines if _STEP.match(line)]
    return steps or [line.lstrip("-*• ").strip() for line in lines]


def response_json(response: AssistResponse) -> str:
    return json.dumps(response.contract_dict(), ensure_ascii=False)
