"""Personal data as customers read it out and agents type it: hypothesis strategies shared by the
masking tests (tests/kb/test_privacy.py) and the end-to-end ones (tests/assist_api/)."""

import re

from hypothesis import strategies as st

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
SEPARATORS = [" ", "\u3000", "\u00a0", ".", "-", "\n", "  "]


def grouped(digits: str, sizes: list[int], separator: str) -> str:
    parts, at = [], 0
    for size in sizes:
        parts.append(digits[at:at + size])
        at += size
    return separator.join(p for p in parts if p)


def card_numbers():
    sixteen = st.from_regex(r"6[0-9]{15}", fullmatch=True).map(lambda d: (d, [4, 4, 4, 4]))
    nineteen = st.from_regex(r"62[0-9]{17}", fullmatch=True).map(lambda d: (d, [6, 13]))
    fifteen = st.from_regex(r"3[47][0-9]{13}", fullmatch=True).map(lambda d: (d, [4, 6, 5]))
    return st.one_of(sixteen, nineteen, fifteen)


def id_numbers():
    new = st.builds(lambda r, y, m, d, s: f"{r}{y}{m:02d}{d:02d}{s}",
                    st.from_regex(r"[1-9][0-9]{5}", fullmatch=True), st.integers(1930, 2009).map(str),
                    st.integers(1, 12), st.integers(1, 28), st.from_regex(r"[0-9]{3}[0-9X]", fullmatch=True))
    old = st.builds(lambda r, y, m, d, s: f"{r}{y:02d}{m:02d}{d:02d}{s}",
                    st.from_regex(r"[1-9][0-9]{5}", fullmatch=True), st.integers(30, 99),
                    st.integers(1, 12), st.integers(1, 28), st.from_regex(r"[0-9]{3}", fullmatch=True))
    return st.one_of(new.map(lambda d: (d, [6, 8, 4])), old.map(lambda d: (d, [6, 6, 3])))


def phone_numbers():
    mobile = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
    return st.one_of(mobile.map(lambda d: (d, [3, 4, 4])), mobile.map(lambda d: (d, [4, 3, 4])),
                     mobile.map(lambda d: (d, [11])))


@st.composite
def written_numbers(draw):
    """(digits, as written): grouped by any separator, maybe in full-width digits, a phone maybe
    with +86."""
    digits, sizes = draw(st.one_of(card_numbers(), id_numbers(), phone_numbers()))
    written = grouped(digits, sizes if draw(st.booleans()) else [len(digits)], draw(st.sampled_from(SEPARATORS)))
    if draw(st.booleans()):
        written = written.translate(FULL_WIDTH)
    if len(digits) == 11 and draw(st.booleans()):
        written = draw(st.sampled_from(["+86 ", "+86", "86-", "+８６ "])) + written
    return digits, written


def hong_kong_ids():
    return st.builds(lambda letter, digits, check, brackets: f"{letter}{digits}" + (f"({check})" if brackets else check),
                     st.sampled_from(["A", "Z", "a", "k", "XY"]), st.from_regex(r"[0-9]{6}", fullmatch=True),
                     st.sampled_from(list("0123456789Aa")), st.booleans())


def survives(digits: str, text: str) -> bool:
    """Whether more than the last four digits can be read back from the text: from one run of
    digits written the ways a number is read out (any of SEPARATORS between digits, full-width
    digits, a +), not from digits of unrelated fields that happen to follow one another, such as
    a timestamp's 13:00:00 beside an id."""
    narrow = text.translate(str.maketrans("０１２３４５６７８９＋", "0123456789+"))
    joiners = re.escape("".join(SEPARATORS) + "+")
    runs = re.findall(rf"[0-9](?:[{joiners}]*[0-9])*", narrow)
    return any(digits[:-4] in re.sub(r"[^0-9]", "", run) for run in runs)
