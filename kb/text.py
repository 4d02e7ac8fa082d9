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
    return _T2S.convert(unicodedata.normalize("NFKC", text)).lower()


def normalize_for_match(text: str) -> str:
    """The contract's scoring normalization: also drop white space and thousands separators."""
    return _THOUSANDS.sub("", _SPACE.sub("", normalize(text)))


def is_cjk(char: str) -> bool:
    return bool(_CJK.match(char))


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph at Chinese and Western sentence ends, keeping the punctuation."""
    return [s for s in (p.strip() for p in _SENTENCE_END.split(text)) if s]
