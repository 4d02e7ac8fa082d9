"""Generate the demo corpus's binary and non-UTF-8 files from text sources kept in the repo.

`fixture_sources/<category>/<name>.<ext>.md` (Markdown with front matter) becomes
`corpus/<category>/<name>.<ext>` plus a YAML sidecar: `.pdf` (text layer, numbered headings),
`.docx` (Word heading styles) or `.txt` (GB18030). Run: python -m evals.demo_bank.build_fixtures
"""

import io
import re
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).parent
_TABLE_RULE = re.compile(r"^\|?\s*:?-{2,}")


def split(source: Path) -> tuple[dict, str]:
    text = source.read_text(encoding="utf-8")
    _, front, body = text.split("---", 2)
    return yaml.safe_load(front), body.strip()


def blocks(body: str):
    """(kind, level, text or rows) for headings, paragraphs, list items and tables."""
    table: list[list[str]] = []
    for line in body.splitlines() + [""]:
        stripped = line.strip()
        if stripped.startswith("|"):
            if not _TABLE_RULE.match(stripped):
                table.append([c.strip() for c in stripped.strip("|").split("|")])
            continue
        if table:
            yield "table", 0, table
            table = []
        heading = re.match(r"^(#{1,6})\s+(.*)$", stripped)
        if heading:
            yield "heading", len(heading.group(1)), heading.group(2)
        elif re.match(r"^[-*]\s+", stripped):
            yield "item", 0, re.sub(r"^[-*]\s+", "", stripped)
        elif stripped:
            yield "para", 0, stripped


def to_docx(body: str) -> bytes:
    import docx

    document = docx.Document()
    for kind, level, content in blocks(body):
        if kind == "heading":
            document.add_heading(content, level=0 if level == 1 else min(level - 1, 9))
        elif kind == "item":
            document.add_paragraph(content, style="List Bullet")
        elif kind == "table":
            table = document.add_table(rows=len(content), cols=len(content[0]))
            for row, cells in zip(table.rows, content):
                for cell, value in zip(row.cells, cells):
                    cell.text = value
        else:
            document.add_paragraph(content)
    document.core_properties.author = "星澜银行产品部"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_pdf(body: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    styles = {n: ParagraphStyle(f"h{n}", fontName="STSong-Light", fontSize=s, leading=s * 1.5,
                                wordWrap="CJK") for n, s in ((0, 10.5), (1, 18), (2, 14), (3, 12))}
    story = []
    for kind, level, content in blocks(body):
        if kind == "table":
            story += [Paragraph("　".join(row), styles[0]) for row in content]
        elif kind == "heading":
            story += [Spacer(1, 6), Paragraph(content, styles[min(level, 3)])]
        else:
            story.append(Paragraph(("• " if kind == "item" else "") + content, styles[0]))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, title="", author="", creator="", producer="").build(story)
    return out.getvalue()


WRITERS = {
    "docx": (to_docx, "{stem}.meta.yaml"),
    "pdf": (to_pdf, "{name}.meta.yaml"),
    "txt": (lambda body: body.encode("gb18030"), "{name}.meta.yaml"),
}


def build(sources: Path = HERE / "fixture_sources", corpus: Path = HERE / "corpus") -> list[Path]:
    written = []
    for source in sorted(sources.rglob("*.md")):
        name = source.name[:-3]
        stem, ext = name.rsplit(".", 1)
        writer, sidecar = WRITERS[ext]
        meta, body = split(source)
        target = corpus / source.parent.relative_to(sources) / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(writer(body))
        sidecar_text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        (target.parent / sidecar.format(stem=stem, name=name)).write_text(sidecar_text, encoding="utf-8")
        written.append(target)
    return written


if __name__ == "__main__":
    for path in build(*map(Path, sys.argv[1:3])):
        print(path)
