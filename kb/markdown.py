"""The one reading of Markdown structure that ingest, scripts and the pages share: headings (not
inside fenced code) and the sections they open, and numbered steps."""

import re

HEADING = re.compile(r"^(#{1,6})\s+(.+?)(?:\s+#+)?\s*$")
NUMBERED = re.compile(r"^\s*(\d+)[.、)）]\s*(.+)$")
_FENCE = re.compile(r"^(```|~~~)")

Trail = tuple[tuple[int, str], ...]  # the headings above a section: (level, text), outermost first


def heading(line: str) -> tuple[int, str] | None:
    """(level, text) of a Markdown heading line, else None."""
    found = HEADING.match(line.strip())
    return (len(found.group(1)), found.group(2).strip()) if found else None


def sections(body: str) -> list[tuple[Trail, str]]:
    """Every section in document order, the text before the first heading included (with an
    empty trail): (the headings above it, its text, stripped). A `#` line in fenced code is text."""
    found: list[tuple[Trail, list[str]]] = [((), [])]
    in_fence = False
    for line in body.splitlines():
        in_fence ^= bool(_FENCE.match(line.strip()))
        opened = None if in_fence else heading(line)
        if opened is None:
            found[-1][1].append(line)
            continue
        trail = tuple((level, text) for level, text in found[-1][0] if level < opened[0]) + (opened,)
        found.append((trail, []))
    return [(trail, "\n".join(lines).strip()) for trail, lines in found]


def numbered_steps(text: str) -> list[str]:
    """The numbered items of a text (1. 2、 3）...), in order."""
    return [m.group(2).strip() for m in map(NUMBERED.match, text.splitlines()) if m]
