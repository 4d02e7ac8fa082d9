"""A small, safe Markdown renderer for what documents hold: headings, lists, tables, paragraphs.

Every piece of text is escaped; quotes can be marked where they occur (a citation's passage).
Enough for the panel; documents are shown, never trusted as HTML.
"""

import re

from markupsafe import Markup, escape

from kb.markdown import heading

_BULLET = re.compile(r"^\s*[-*+•]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*(\d+)[.、)）]\s*(.*)$")
_RULE = re.compile(r"^\|?\s*:?-{2,}")


def render(text: str, mark: str | list[str] | None = None) -> Markup:
    marker = _Marker([mark] if isinstance(mark, str) else mark)
    return Markup("".join(_RENDER[kind](lines, marker) for kind, lines in _blocks(text.splitlines())))


class _Marker:
    """Wraps the first occurrence of each quote in <mark>; everything else is escaped."""

    def __init__(self, quotes: list[str] | None):
        self.quotes = [q for q in quotes or [] if q]

    def text(self, text: str) -> str:
        found = [(text.find(q), q) for q in self.quotes if q in text]
        if not found:
            return str(escape(text))
        start, quote = min(found)
        self.quotes.remove(quote)
        before, after = text[:start], text[start + len(quote):]
        return f"{escape(before)}<mark>{escape(quote)}</mark>{self.text(after)}"

    def row(self, line: str) -> bool:
        """True when a table row is, or holds, a quote (once per quote): the whole row is marked."""
        held = [q for q in self.quotes if q in line]
        for quote in held:
            self.quotes.remove(quote)
        return bool(held)


def _heading(lines: list[str], marker: _Marker) -> str:
    level, text = heading(lines[0]) or (6, lines[0].strip())
    return f'<p class="md-h md-h{level}">{marker.text(text)}</p>'


def _paragraph(lines: list[str], marker: _Marker) -> str:
    return f"<p>{marker.text(lines[0].strip())}</p>"


def _bullets(lines: list[str], marker: _Marker) -> str:
    items = "".join(f"<li>{marker.text(_BULLET.match(line).group(1))}</li>" for line in lines)
    return f"<ul>{items}</ul>"


def _numbered(lines: list[str], marker: _Marker) -> str:
    first = _NUMBERED.match(lines[0]).group(1)
    items = "".join(f"<li>{marker.text(_NUMBERED.match(line).group(2))}</li>" for line in lines)
    return f'<ol start="{first}">{items}</ol>'


def _table(lines: list[str], marker: _Marker) -> str:
    rows = []
    for n, line in enumerate(l.strip() for l in lines if not _RULE.match(l.strip())):
        cells = [c.strip() for c in line.strip("|").split("|")]
        tag = "th" if n == 0 else "td"
        marked = ' class="marked"' if marker.row(line) else ""
        rows.append(f"<tr{marked}>" + "".join(f"<{tag}>{escape(c)}</{tag}>" for c in cells) + "</tr>")
    return f'<table class="md-table">{"".join(rows)}</table>'


_RENDER = {"heading": _heading, "paragraph": _paragraph, "bullet": _bullets,
           "numbered": _numbered, "table": _table}


def _blocks(lines: list[str]) -> list[tuple[str, list[str]]]:
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        kind = _kind(line)
        if kind == "blank":
            continue
        if blocks and blocks[-1][0] == kind and kind in ("table", "bullet", "numbered"):
            blocks[-1][1].append(line)
        else:
            blocks.append((kind, [line]))
    return blocks


def _kind(line: str) -> str:
    stripped = line.strip()
    if not stripped:
        return "blank"
    if stripped.startswith("|"):
        return "table"
    if heading(stripped):
        return "heading"
    if _BULLET.match(line):
        return "bullet"
    if _NUMBERED.match(line):
        return "numbered"
    return "paragraph"
