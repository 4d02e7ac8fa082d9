"""Read each accepted file format into (metadata fields, Markdown body).

Every loader returns the body as Markdown so that one chunker serves every format: Word heading
styles, HTML h1–h6 and numbered PDF headings all become Markdown headings.
"""

import io
import re
import zipfile
from pathlib import Path

import yaml

from kb.errors import DocumentRejected, Problem

FORMATS = (".md", ".txt", ".docx", ".pdf", ".html", ".htm")
SIDECAR_SUFFIXES = (".meta.yaml", ".meta.yml")
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024


def reject(file: str, field: str, rule: str) -> DocumentRejected:
    return DocumentRejected([Problem(file, field, rule)])


def load(path: Path, name: str) -> tuple[dict, str]:
    """Metadata fields and Markdown body of one file; `name` is how messages call the file."""
    suffix = path.suffix.lower()
    if suffix == ".md":
        return split_front_matter(decode_text(path.read_bytes(), name), name)
    body = {".txt": load_txt, ".docx": load_docx, ".pdf": load_pdf,
            ".html": load_html, ".htm": load_html}[suffix](path.read_bytes(), name)
    return read_sidecar(path, name), body


def split_front_matter(text: str, name: str) -> tuple[dict, str]:
    match = re.match(r"^---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|$)", text, re.S)
    if not match:
        raise reject(name, "front matter", "a Markdown document must start with a YAML front matter block between '---' lines")
    return parse_yaml(match.group(1), name, "front matter"), text[match.end():]


class _DatesAsWritten(yaml.SafeLoader):
    """YAML without its date type: a date stays the text written, so that a bad one
    (2026-13-45) is reported by the field's own rule, which names the field, not as broken YAML."""


_DatesAsWritten.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}


def parse_yaml(text: str, name: str, field: str) -> dict:
    try:
        data = yaml.load(text, Loader=_DatesAsWritten)  # noqa: S506 (a SafeLoader)
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        raise DocumentRejected(_every_yaml_problem(text, name, field, exc)) from None
    if not isinstance(data, dict):
        raise reject(name, field, "must be a YAML mapping of field: value")
    return data


_TOP_FIELD = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def _every_yaml_problem(text: str, name: str, field: str, error: Exception) -> list[Problem]:
    """Broken YAML, read again field by field, so that an editor sees every problem at once: each
    line that does not parse, and every rule the fields that do parse break."""
    from ingest.validation import validate_meta

    first = "nested too deeply" if isinstance(error, RecursionError) else str(error).splitlines()[0]
    problems, fields = [], {}
    for number, block in _field_blocks(text):
        try:
            fields.update(yaml.load(block, Loader=_DatesAsWritten) or {})  # noqa: S506 (a SafeLoader)
        except (yaml.YAMLError, ValueError, RecursionError, TypeError) as exc:
            key = _TOP_FIELD.match(block).group(1)
            rule = str(exc).splitlines()[0] if not isinstance(exc, RecursionError) else "nested too deeply"
            problems.append(Problem(name, key, f"line {number}: invalid YAML: {rule}"))
    if not problems:
        return [Problem(name, field, f"invalid YAML: {first}")]
    broken = {p.field for p in problems}
    _, rules = validate_meta({k: v for k, v in fields.items() if k not in broken}, "-", name)
    return problems + [p for p in rules if p.field not in broken]


def _field_blocks(text: str) -> list[tuple[int, str]]:
    """Each top-level field with its continuation lines, and the line it starts on."""
    blocks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if _TOP_FIELD.match(line) or not blocks:
            blocks.append((number, [line]))
        else:
            blocks[-1][1].append(line)
    return [(number, "\n".join(lines)) for number, lines in blocks if _TOP_FIELD.match(lines[0])]


def sidecar_paths(path: Path) -> list[Path]:
    stem_forms = (path.name, path.name[: -len(path.suffix)])
    return [path.with_name(stem + suffix) for stem in stem_forms for suffix in SIDECAR_SUFFIXES]


def read_sidecar(path: Path, name: str) -> dict:
    found = [p for p in sidecar_paths(path) if p.exists()]
    if not found:
        raise reject(name, "metadata", f"no sidecar file: expected {path.name}.meta.yaml or {path.stem}.meta.yaml")
    if len(found) > 1:
        raise reject(name, "metadata", f"two sidecar files ({found[0].name}, {found[1].name}); keep one")
    return parse_yaml(decode_text(found[0].read_bytes(), found[0].name), name, "metadata")


def decode_text(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM) or GB18030/GBK; anything else is refused, not guessed."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        raise reject(name, "encoding", "not UTF-8 or GB18030/GBK text") from None
    if not _plausible_gb(text):
        raise reject(name, "encoding", "not UTF-8 or GB18030/GBK text (decodes to unlikely characters; "
                     "another encoding such as Big5?)")
    return text


def _plausible_gb(text: str) -> bool:
    """Big5 or random bytes decode as GB18030 too, but mostly into characters outside GB2312."""
    cjk = [c for c in text if "\u3400" <= c <= "\u9fff"]
    if not cjk:
        return text.isprintable() or all(c.isprintable() or c.isspace() for c in text)
    common = sum(1 for c in cjk if _in_gb2312(c))
    return common / len(cjk) >= 0.9


def _in_gb2312(char: str) -> bool:
    try:
        char.encode("gb2312")
        return True
    except UnicodeEncodeError:
        return False


def load_txt(data: bytes, name: str) -> str:
    return decode_text(data, name)


def _check_zip(data: bytes, name: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise reject(name, "body", "not a readable .docx file (corrupt, encrypted or not a Word document)") from None
    if unzipped > MAX_UNZIPPED_BYTES:
        raise reject(name, "body", f"unpacks to {unzipped} bytes, over the {MAX_UNZIPPED_BYTES} byte limit")


def load_docx(data: bytes, name: str) -> str:
    import docx
    from docx.table import Table

    _check_zip(data, name)
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for a broken package
        raise reject(name, "body", f"not a readable .docx file ({type(exc).__name__})") from None
    lines = []
    for block in document.iter_inner_content():
        lines += _table_lines(block) if isinstance(block, Table) else [_paragraph_line(block)]
    return "\n\n".join(line for line in lines if line.strip())


def _paragraph_line(paragraph) -> str:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    text = paragraph.text.strip()
    level = re.match(r"Heading (\d)", style)
    if style == "Title":
        return f"# {text}"
    if level:
        return "#" * min(int(level.group(1)) + 1, 6) + " " + text
    if style.startswith("List"):
        return f"- {text}"
    return text


def _table_lines(table) -> list[str]:
    rows = [[cell.text.strip().replace("\n", " ") for cell in row.cells] for row in table.rows]
    return [markdown_table(rows)] if rows else []


def markdown_table(rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows[1:]])


WRAP_CHARS = 30
_PDF_HEADINGS = (
    (re.compile(r"^第[一二三四五六七八九十百\d]+[章部分]"), 2),
    (re.compile(r"^[一二三四五六七八九十]+、"), 2),
    (re.compile(r"^[（(][一二三四五六七八九十]+[)）]"), 3),
    (re.compile(r"^\d+(\.\d+)+\s*\S"), 3),
)


def load_pdf(data: bytes, name: str) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise reject(name, "body", "the PDF is encrypted; supply an unprotected copy")
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError, NotImplementedError) as exc:
        raise reject(name, "body", f"not a readable PDF ({type(exc).__name__})") from None
    except RecursionError:
        raise reject(name, "body", "the PDF nests its objects too deeply to be read") from None
    if not text.strip():
        raise reject(name, "body", "the PDF has no text layer (a scan?); supply a PDF with text or OCR it first")
    return pdf_text_to_markdown(text)


def pdf_text_to_markdown(text: str) -> str:
    """Numbered headings (一、 （一） 1.1) become Markdown headings; wrapped lines are re-joined."""
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        level = _pdf_heading_level(line)
        if level:
            lines += ["", "#" * level + " " + line, ""]
        elif _wrapped(lines[-1] if lines else "", line):
            lines[-1] += line
        else:
            lines.append(re.sub(r"^[•·]\s*", "- ", line))
    return "\n".join(lines).strip()


def _wrapped(previous: str, line: str) -> bool:
    """A full-width line without a sentence end continues on the next line; short lines
    (table rows, list items, headings) stand alone."""
    return (len(previous) >= WRAP_CHARS and not previous.startswith("#")
            and not re.search(r"[。！？；：:]$", previous) and not re.match(r"^[-•·]|^\d+[、.]", line))


def _pdf_heading_level(line: str) -> int:
    if len(line) > 40 or re.search(r"[。；;，,]$", line):
        return 0
    return next((level for pattern, level in _PDF_HEADINGS if pattern.match(line)), 0)


_DROP_TAGS = ("script", "style", "nav", "header", "footer", "aside", "noscript", "form", "template")
_BLOCKS = ("h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "table", "dt", "dd", "pre", "blockquote")


MAX_HTML_DEPTH = 100  # real pages nest a few dozen levels; 4,000 nested <div> took 40 s to read


def load_html(data: bytes, name: str) -> str:
    from bs4 import BeautifulSoup

    _check_html_depth(data, name)
    soup = BeautifulSoup(data, "lxml")
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    root = soup.find("main") or soup.find("article") or soup.body or soup
    lines = [_html_block(el) for el in root.find_all([*_BLOCKS, "div"]) if _is_block(el)]
    body = "\n\n".join(line for line in lines if line.strip())
    if not body.strip():
        raise reject(name, "body", "the HTML page has no text content")
    return body


def _check_html_depth(data: bytes, name: str) -> None:
    """Refuse a page nested deeper than MAX_HTML_DEPTH elements before reading it as blocks
    (whose cost grows with depth times size); libxml2 itself stops at 256 levels."""
    from lxml import etree

    parser = etree.HTMLParser(recover=True)
    root = etree.fromstring(data, parser) if data.strip() else None
    too_deep = any("Excessive depth" in e.message for e in parser.error_log)
    if not too_deep and root is not None:
        too_deep = any(sum(1 for _ in leaf.iterancestors()) > MAX_HTML_DEPTH
                       for leaf in root.iter() if len(leaf) == 0)
    if too_deep:
        raise reject(name, "body", f"the HTML nests elements more than {MAX_HTML_DEPTH} levels deep; "
                     "export the page without its layout wrappers")


def _is_block(el) -> bool:
    """Outermost text blocks; a <div> counts only when it holds text but no blocks of its own."""
    if el.find_parent(_BLOCKS):
        return False
    return el.name != "div" or not el.find([*_BLOCKS, "div"])


def _inline(el) -> str:
    return re.sub(r"\s+", " ", el.get_text("")).strip()


def _html_block(el) -> str:
    if el.name == "table":
        rows = [[_inline(c) for c in tr.find_all(["th", "td"])] for tr in el.find_all("tr")]
        return markdown_table([r for r in rows if r]) if any(rows) else ""
    if el.name[0] == "h" and el.name[1:].isdigit():
        return "#" * int(el.name[1]) + " " + _inline(el)
    if el.name == "li":
        return "- " + _inline(el)
    return _inline(el)
