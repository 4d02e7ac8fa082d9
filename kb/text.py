"""Text normalization and splitting shared by indexing, querying and scoring."""

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

from kb.vocab import alternation, load_checked

_T2S = OpenCC("t2s")
_SPACE = re.compile(r"\s+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=4096)
def normalize(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, lower case."""
    return str(_T2S.convert(unicodedata.normalize("NFKC", text))).lower()


def normalize_for_match(text: str) -> str:
    """The contract's scoring normalization: also drop white space and thousands separators."""
    return compact(normalize(text))


def compact(text: str) -> str:
    """Without white space and thousands separators (MOP 50,000 → mop50000, 4 次 → 4次)."""
    return _THOUSANDS.sub("", _SPACE.sub("", text))


def occurrences(needle: str, text: str) -> list[int]:
    """Every position where a literal string starts in the text, overlaps included. A plain
    search, not a regular expression: with thousands of product names, one pattern compiled per
    name overflows the re module's cache and recompiles every name for every question."""
    starts, start = [], text.find(needle) if needle else -1
    while start >= 0:
        starts.append(start)
        start = text.find(needle, start + 1)
    return starts


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』）)\"']*|[^。！？；!?;]+")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph at Chinese and Western sentence ends, keeping the punctuation and any
    closing quote after it (“……。” stays one sentence)."""
    return [s for s in (p.strip() for p in SENTENCE.findall(text)) if s]


_NUMERALS = load_checked("numerals.yaml", lists=("counters",), mappings=("digits", "multipliers"))
_DIGITS: dict[str, int] = {str(k): int(v) for k, v in _NUMERALS["digits"].items()}
_UNITS: dict[str, int] = {str(k): int(v) for k, v in _NUMERALS["multipliers"].items()}
_COUNTED = re.compile(rf"([{re.escape(''.join(_DIGITS) + ''.join(_UNITS))}]+)"
                      rf"(?=个?{alternation(_NUMERALS['counters'])})")


def chinese_number(text: str) -> int | None:
    """三 → 3, 十二 → 12, 二十五 → 25, 三百 → 300; None for what is not a plain number."""
    total, digit = 0, None
    for char in text:
        if char in _DIGITS:
            if digit is not None:
                return None
            digit = _DIGITS[char]
        elif char in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        else:
            return None
    return total + (digit or 0)


def counted_numbers_to_digits(text: str) -> str:
    """Chinese numerals before a measure word become digits (三年 → 3年, 两张 → 2张), as documents
    write figures in digits; other 一 and 十 (一般, 十分) stay as they are."""

    def replace(match: re.Match[str]) -> str:
        value = chinese_number(match.group(1))
        if value is None:
            return match.group(1)
        glued = match.start() > 0 and match.string[match.start() - 1].isascii() \
            and match.string[match.start() - 1].isalnum()
        return f" {value}" if glued else str(value)

    return _COUNTED.sub(replace, text)
