"""Personal data in a question is masked before it is logged, stored or echoed back.

Agents sometimes paste what the customer just read out; the panel never needs it, so every
mainland ID number, bank card number and phone number is replaced by stars, keeping the last
four characters (enough for the agent to see what was typed). Numbers inside longer digit runs
and amounts are left alone.
"""

import re
from dataclasses import dataclass

# Longest first: an 18-character ID holds an 11-digit run that looks like a phone number.
_PATTERNS = (
    ("id_number", re.compile(r"(?<![0-9A-Za-z])[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])"
                             r"(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx](?![0-9A-Za-z])")),
    ("id_number", re.compile(r"(?<![0-9A-Za-z])[A-Z]{1,2}\d{6}[(（][0-9A][)）]")),
    ("card_number", re.compile(r"(?<![\d])(?:\d{4}[ -]){3,4}\d{1,4}(?![\d])|(?<!\d)\d{16,19}(?!\d)")),
    ("phone_number", re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")),
)

# The words that introduce such a number say nothing about the question either.
_LABEL = (r"(?:(?:银行|信用|借记)?卡号|(?:手机|电话|联系)(?:号码|号)?|(?:身份证|证件)(?:号码|号)?|"
          r"身份證(?:號碼|號)?|電話(?:號碼)?|卡號)[是为為:：]?\s*")

_WITH_LABEL = tuple(re.compile(f"(?:{_LABEL})?(?:{p.pattern})") for _, p in _PATTERNS)


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple[str, ...]
    without: str  # the text with the numbers and their labels left out, for searching

    @property
    def found(self) -> bool:
        return bool(self.kinds)


def mask_personal_data(text: str) -> Masked:
    """`text` with personal numbers starred out, and which kinds were found."""
    kinds: list[str] = []
    without = text
    for (kind, pattern), labelled in zip(_PATTERNS, _WITH_LABEL):
        text, count = pattern.subn(_star, text)
        without = labelled.sub(" ", without)
        if count and kind not in kinds:
            kinds.append(kind)
    return Masked(text, tuple(kinds), without)


def _star(match: re.Match) -> str:
    value = match.group(0)
    keep = 4
    return "".join("*" if ch.isalnum() else ch for ch in value[:-keep]) + value[-keep:]
