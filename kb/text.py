"""Text normalization and splitting shared by indexing, querying and scoring."""

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

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


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


SENTENCE = re.compile(r"[^。！？；!?;]*[。！？；!?;]+[”’」』）)\"']*|[^。！？；!?;]+")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph at Chinese and Western sentence ends, keeping the punctuation and any
    closing quote after it (“……。” stays one sentence)."""
    return [s for s in (p.strip() for p in SENTENCE.findall(text)) if s]


_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_COUNTED = re.compile(
    r"([零〇一二两三四五六七八九十百千]+)(?=个?(?:年|月|天|日|次|张|期|倍|成|万|元|块|岁|周岁|笔|小时|分钟|工作日|折|档|级|星|户|套|位|步))")


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
