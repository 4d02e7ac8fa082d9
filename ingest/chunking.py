"""Ingestion stages that turn a document into retrieval chunks (llama-index transform components).

The heading path is kept exactly (a heading may hold '/' or '>'), and each chunk's text is a
verbatim slice of its section, so a citation's quote is always an exact substring of the section.
"""

import re
from typing import Any

from llama_index.core.schema import BaseNode, TextNode, TransformComponent

from kb.markdown import sections
from kb.text import SENTENCE

SECTION_SEPARATOR = " › "


def markdown_sections(body: str, title: str) -> list[tuple[str, str]]:
    """(heading path, section text) pairs in document order, empty sections left out; a top
    heading equal to the title is dropped from the path."""
    found = []
    for trail, text in sections(body):
        if text:
            path = [h for level, h in trail if not (level == 1 and h == title)]
            found.append((SECTION_SEPARATOR.join(path) or title, text))
    return found


class MarkdownSections(TransformComponent):
    """Document → one node per heading section, carrying the document's metadata."""

    def __call__(self, nodes: list[BaseNode], **kwargs: Any) -> list[BaseNode]:
        out = []
        for doc in nodes:
            meta = doc.metadata
            for section, text in markdown_sections(doc.text, meta["title"]):
                out.append(TextNode(text=text, metadata={**meta, "section": section}))
        return out


class SplitLongSections(TransformComponent):
    """A section longer than `max_chars` is cut at paragraph, then sentence boundaries."""

    max_chars: int = 500

    def __call__(self, nodes: list[BaseNode], **kwargs: Any) -> list[BaseNode]:
        out = []
        for node in nodes:
            pieces = self._pieces(node.text) if len(node.text) > self.max_chars else [node.text]
            out += [TextNode(text=p, metadata=dict(node.metadata)) for p in pieces]
        return out

    def _pieces(self, text: str) -> list[str]:
        """Pieces joined with the separators they had, so each is a verbatim slice of the section
        (a table piece alone repeats its table's header)."""
        units: list[tuple[str, str]] = []
        parts = re.split(r"(\n\s*\n)", text)
        for separator, paragraph in zip(["", *parts[1::2]], parts[0::2]):
            pieces = self._line_units(paragraph) if len(paragraph) > self.max_chars else [("", paragraph)]
            units += [(separator, pieces[0][1])] + pieces[1:]
        out, current = [], ""
        for separator, unit in units:
            if current and len(current) + len(separator) + len(unit) > self.max_chars:
                out.append(current)
                current = unit
            else:
                current = current + separator + unit if current else unit
        return out + [current] if current else out

    def _line_units(self, paragraph: str) -> list[tuple[str, str]]:
        """(separator, text): lines (list items, table rows) first; a long line is cut into
        sentences."""
        lines = paragraph.split("\n")
        if len(lines) > 2 and all(line.lstrip().startswith("|") for line in lines):
            return [("\n\n", unit) for unit in self._table_units(lines)]
        units = []
        for n, line in enumerate(lines):
            parts = [line] if len(line) <= self.max_chars else SENTENCE.findall(line)
            units += [("\n" if n and i == 0 else "", part) for i, part in enumerate(parts)]
        return units

    def _table_units(self, lines: list[str]) -> list[str]:
        """Groups of rows, each group under the table's header so a row keeps its column names."""
        header, units, current = "\n".join(lines[:2]), [], []
        for row in lines[2:]:
            if current and len(header) + sum(len(r) + 1 for r in current + [row]) > self.max_chars:
                units.append("\n".join([header] + current))
                current = []
            current.append(row)
        return units + ["\n".join([header] + current)] if current else units


class ChunkIds(TransformComponent):
    """Stable ids `doc_id@vN:hash#i`: a re-ingest of the same content writes the same ids instead
    of adding copies, and new content gets new ids, so the old chunks stay whole until the new
    ones are committed (kb.store)."""

    def __call__(self, nodes: list[BaseNode], **kwargs: Any) -> list[BaseNode]:
        counters: dict[str, int] = {}
        for node in nodes:
            key = f"{node.metadata['doc_id']}@v{node.metadata['version']}"
            node.id_ = f"{key}:{node.metadata['content_hash'][:12]}#{counters.get(key, 0)}"
            node.metadata["chunk"] = counters.get(key, 0)
            counters[key] = counters.get(key, 0) + 1
            node.excluded_embed_metadata_keys = [k for k in node.metadata if k not in ("title", "section")]
            node.excluded_llm_metadata_keys = list(node.metadata)
        return nodes
