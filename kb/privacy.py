"""Personal data in a question is masked before it is logged, stored or echoed back.

Agents sometimes paste what the customer just read out; the panel never needs it, so every ID
number (mainland, 18 or 15 digits; Hong Kong), bank card number (13 to 19 digits), phone number and
e-mail address is replaced by stars, keeping the last four characters (enough for the agent to see
what was typed). Numbers are found however they are written: full-width digits, and digits split
by spaces, full-width or non-breaking spaces, dots, hyphens or line breaks. Amounts, dates and
hotlines are left alone: they are too short, or use thousands separators.
"""

import re
import unicodedata
from dataclasses import dataclass

from kb.vocab import alternation, load_checked

# A run of digits (an ID may end in X) with at most two separators between any two of them.
_SEPARATORS = " \t\r\n\u00a0\u3000.\u00b7\u30fb\uff0e-\u2010\u2011\u2012\u2013\u2014\u2212\uff0d"
_RUN = re.compile(rf"(?<![0-9A-Za-z])(?:\+\s?)?[0-9](?:[{re.escape(_SEPARATORS)}]{{0,2}}[0-9])+"
                  rf"(?:[{re.escape(_SEPARATORS)}]{{0,2}}[Xx])?(?![0-9A-Za-z])")
_ID_18 = re.compile(r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9X]")
_ID_15 = re.compile(r"[1-9]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}")
_PHONE = re.compile(r"(?:86)?1[3-9]\d{9}")
_HK_ID = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{1,2}\d{6}\s?[(（]?[0-9Aa][)）]?(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# The words that introduce such a number say nothing about the question either (kb/vocab/privacy.yaml).
_WORDS = load_checked("privacy.yaml", lists=("labels", "joiners"))
_LABEL = re.compile(rf"{alternation(_WORDS['labels'])}{alternation(_WORDS['joiners'])}?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple[str, ...]
    without: str  # the text with the numbers and their labels left out, for searching

    @property
    def found(self) -> bool:
        return bool(self.kinds)


def mask_personal_data(text: str) -> Masked:
    """`text` with personal numbers and addresses starred out, and which kinds were found."""
    spans = sorted(_spans(text), key=lambda span: (span[0], -span[1]))
    kinds: list[str] = []
    masked, without, at = [], [], 0
    for start, end, kind in spans:
        if start < at:
            continue
        masked += [text[at:start], _star(text[start:end])]
        without += [_LABEL.sub("", text[at:start]), " "]
        at = end
        if kind not in kinds:
            kinds.append(kind)
    masked.append(text[at:])
    without.append(text[at:])
    return Masked("".join(masked), tuple(kinds), "".join(without))


def _spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every personal number or address, on the text as written."""
    plain = _narrow(text)
    found = [(m.start(), m.end(), "email") for m in _EMAIL.finditer(plain)]
    found += [(m.start(), m.end(), "id_number") for m in _HK_ID.finditer(plain)]
    for match in _RUN.finditer(plain):
        kind = _kind_of("".join(c for c in match.group(0) if c.isalnum()).upper())
        if kind is not None:
            found.append((match.start(), match.end(), kind))
    return found


def _narrow(text: str) -> str:
    """Full-width digits, letters and signs as ASCII, one character for one, so that positions
    in the result are positions in the text."""
    out = []
    for char in text:
        narrow = unicodedata.normalize("NFKC", char)
        out.append(narrow if len(narrow) == 1 else char)
    return "".join(out)


def _kind_of(digits: str) -> str | None:
    if _ID_18.fullmatch(digits) or _ID_15.fullmatch(digits):
        return "id_number"
    if _PHONE.fullmatch(digits):
        return "phone_number"
    if digits.isdigit() and 13 <= len(digits) <= 19:
        return "card_number"
    return None


def _star(value: str) -> str:
    """Stars for every letter and digit but the last four; separators stay where they were."""
    keep, out = 4, []
    for char in reversed(value):
        if char.isalnum() and keep:
            keep -= 1
            out.append(char)
        else:
            out.append("*" if char.isalnum() else char)
    return "".join(reversed(out))
