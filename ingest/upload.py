"""An editor's upload read into a validated document: the same loaders and rules as a folder,
plus what only an upload can get wrong (its size, a name that lies about its content, metadata
typed into a form instead of a front matter or sidecar)."""

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.loaders import FORMATS
from ingest.reader import read_file
from kb.errors import DocumentRejected, Problem
from kb.models import SourceDocument

UPLOAD_PREFIX = "upload:"
LIST_FIELDS = ("products", "disclosures", "intents")
FORM_FIELDS = ("doc_id", "title", "category", "version", "effective_from", "effective_to",
               "risk_level", *LIST_FIELDS)
_LIST_SEPARATORS = re.compile(r"\s*[,，、;；\n]\s*")
_SAFE_NAME = re.compile(r"[^\w.\-\u3400-\u9fff]+")
_SNIFF = 4096


@dataclass
class Upload:
    document: SourceDocument
    version_given: bool  # False: the next version of its doc_id is meant
    data: bytes
    form: dict


MAX_NAME_BYTES = 200  # a file system allows 255 bytes in a name, and the sidecar adds ".meta.yaml"


def read_upload(filename: str, data: bytes, form: dict[str, str], max_bytes: int) -> Upload:
    """The uploaded file as a document, or DocumentRejected naming every problem."""
    name = safe_name(filename)
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        raise _reject(name[:40] + "…", "file", f"the file name is over {MAX_NAME_BYTES} bytes; rename the file")
    _check_file(name, data, max_bytes)
    fields = _form_fields_used(name, data, form_metadata(form))
    with tempfile.TemporaryDirectory(prefix="kb-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        if fields and path.suffix.lower() != ".md":
            (Path(folder) / f"{name}.meta.yaml").write_text(yaml.safe_dump(fields, allow_unicode=True), encoding="utf-8")
        elif fields:
            path.write_bytes(_front_matter(fields) + data)
        document = read_file(path, name)
    raw_version = "version" in fields or _front_matter_has(data, "version")
    document.source = UPLOAD_PREFIX + name
    return Upload(document, raw_version, data, fields)


def safe_name(filename: str) -> str:
    """The file's own name, without any folder part or characters a path could misuse."""
    base = re.split(r"[\\/]", filename or "")[-1].strip()
    cleaned = _SAFE_NAME.sub("_", base).lstrip(".")
    return cleaned or "upload"


def _check_file(name: str, data: bytes, max_bytes: int) -> None:
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise _reject(name, "file", f"unsupported file type '{suffix}'; accepted: {', '.join(FORMATS)}")
    if not data:
        raise _reject(name, "file", "the file is empty")
    if len(data) > max_bytes:
        raise _reject(name, "file", f"the file is {len(data)} bytes, over the {max_bytes} byte limit")
    actual = sniff(data)
    expected = {".docx": "zip", ".pdf": "pdf"}.get(suffix, "text")
    if actual != expected:
        raise _reject(name, "file", f"the content is {_KINDS[actual]}, not the {suffix} file its name says")


_KINDS = {"zip": "a ZIP package (such as .docx)", "pdf": "a PDF", "text": "text",
          "binary": "binary data"}


def sniff(data: bytes) -> str:
    """What the bytes are, from their opening: a ZIP package, a PDF, text, or other binary."""
    head = data[:_SNIFF]
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if b"\x00" in head or head.startswith((b"\xd0\xcf\x11\xe0", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "binary"
    return "text"


def form_metadata(form: dict[str, str]) -> dict:
    """The metadata fields typed into the upload form, as a front matter would hold them."""
    fields: dict = {}
    for key in FORM_FIELDS:
        value = (form.get(key) or "").strip()
        if not value:
            continue
        if key in LIST_FIELDS:
            fields[key] = [v for v in _LIST_SEPARATORS.split(value) if v]
        elif key == "version":
            fields[key] = int(value) if value.isdigit() else value
        else:
            fields[key] = value
    return fields


def _form_fields_used(name: str, data: bytes, fields: dict) -> dict:
    """The form's fields, unless the file is Markdown with its own front matter, which wins whole
    (a preview fills the form from it, so a form sent back must not count as a second source)."""
    return {} if name.lower().endswith(".md") and _has_front_matter(data) else fields


def _has_front_matter(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf").lstrip().startswith(b"---")


def _front_matter_has(data: bytes, field: str) -> bool:
    if not _has_front_matter(data):
        return False
    text = data.decode("utf-8", errors="replace")
    block = text.split("---", 2)[1] if text.count("---") >= 2 else ""
    return re.search(rf"(?m)^{field}\s*:", block) is not None


def _front_matter(fields: dict) -> bytes:
    return ("---\n" + yaml.safe_dump(fields, allow_unicode=True) + "---\n").encode("utf-8")


def _reject(name: str, field: str, rule: str) -> DocumentRejected:
    return DocumentRejected([Problem(name, field, rule)])
