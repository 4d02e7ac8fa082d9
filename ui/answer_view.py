"""How a response reads in the panel, at a glance mid-call: the answer as one line per fact with
its figures marked, a table row as its key then "列名：值" fragments, citations merged by section,
a script as steps that copy one by one, a disclosure's title said once."""

import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from kb.markdown import heading, numbered_steps

_PARTS = re.compile(r"[^。；;]+[。；;]?")
_FIGURE = re.compile(r"(?:[¥$]|HKD|MOP|USD)?\s?\d[\d,.]*\s?(?:%|‰|万元|千元|亿元|元|块|万|个工作日|工作日|个自然日|"
                     r"天|日|个月|月|年|周岁|岁|次|期|笔|张|倍|分钟|小时|折|积分|分)|免收|免费|不收取|不收")


def answer_html(text: str) -> Markup:
    """One list item per sentence or row of the answer, figures marked."""
    parts = [p.strip().rstrip("；;") for p in _PARTS.findall(text) if p.strip(" 。；;")]
    if len(parts) <= 1:
        return Markup(f'<p class="answer">{_part(text.strip())}</p>')
    return Markup('<ul class="answer answer-parts">' + "".join(f"<li>{_part(p)}</li>" for p in parts) + "</ul>")


def _part(text: str) -> str:
    """A table row read as "key，列名：值，列名：值" shows its key, then one fragment per column."""
    pieces = text.split("，")
    if len(pieces) > 1 and "：" not in pieces[0] and all("：" in p for p in pieces[1:]):
        fragments = "".join(f'<span class="fragment">{_figures(p)}</span>' for p in pieces[1:])
        return f'<span class="row-key">{escape(pieces[0])}</span>{fragments}'
    return _figures(text)


def _figures(text: str) -> str:
    out, at = [], 0
    for match in _FIGURE.finditer(text):
        out += [str(escape(text[at:match.start()])), f'<mark class="figure">{escape(match.group(0))}</mark>']
        at = match.end()
    return "".join(out) + str(escape(text[at:]))


@dataclass
class CitedSection:
    """One cited section, however many of its sentences the answer quotes."""
    doc_id: str
    version: int
    title: str
    section: str
    quotes: list[str] = field(default_factory=list)


def merged_citations(citations) -> list[CitedSection]:
    merged: dict[tuple, CitedSection] = {}
    for c in citations:
        key = (c.doc_id, c.version, c.section)
        merged.setdefault(key, CitedSection(c.doc_id, c.version, c.title, c.section)).quotes.append(c.quote)
    return list(merged.values())


def script_steps(text: str) -> list[str]:
    """The numbered steps of a script's section (empty when it has none: shown as text)."""
    return numbered_steps(text)


def without_title(text: str, title: str) -> str:
    """A disclosure's text without a first heading that repeats its title (said once, above it)."""
    lines = text.strip().splitlines()
    first = heading(lines[0]) if lines else None
    if first and first[1] == title.strip():
        lines = lines[1:]
    return "\n".join(lines).strip()


def ordered_disclosures(disclosures, query: str, answer_text: str) -> list:
    """Every disclosure the cited documents require (the contract keeps them all), the ones whose
    title shares most with the question and answer first: a 400 px panel shows them as folded
    one-line heads, and the one that matters is on top."""
    asked = _bigrams(query + answer_text)

    def shared(disclosure) -> int:
        return len(_bigrams(disclosure.title) & asked)

    return sorted(disclosures, key=shared, reverse=True)


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1) if not text[i:i + 2].isspace()}


def quote_text(quote: str) -> str:
    """A quoted passage as read aloud: a Markdown table row becomes its cells joined by "，"."""
    line = quote.strip()
    if line.startswith("|") and line.endswith("|"):
        return "，".join(cell.strip() for cell in line.strip("|").split("|") if cell.strip())
    return quote
