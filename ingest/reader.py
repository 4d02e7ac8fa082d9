"""Read a knowledge-base folder into validated documents and a list of every problem found."""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from ingest.loaders import FORMATS, SIDECAR_SUFFIXES, load
from ingest.validation import validate_meta
from kb.errors import DocumentRejected, Problem
from kb.models import SourceDocument


@dataclass
class FolderRead:
    documents: list[SourceDocument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected_files: set[str] = field(default_factory=set)


# Part of every content hash: raise it when chunking changes, so that a re-ingest rebuilds the
# chunks of documents whose files did not change.
CHUNKING_VERSION = 4


def content_hash(meta_json: str, body: str) -> str:
    return hashlib.sha256(f"{CHUNKING_VERSION}\n{meta_json}\n\0{body}".encode()).hexdigest()


def read_file(path: Path, name: str) -> SourceDocument:
    """One file as a validated document, or DocumentRejected naming every broken rule."""
    raw, body = load(path, name)
    meta, problems = validate_meta(raw, body, name)
    if problems:
        raise DocumentRejected(problems)
    return SourceDocument(meta=meta, body=body.strip(), source=name,
                          content_hash=content_hash(meta.model_dump_json(), body.strip()))


def candidate_files(root: Path) -> list[Path]:
    files = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if not path.name.endswith(SIDECAR_SUFFIXES):
            files.append(path)
    return files


def read_folder(root: Path, known_disclosures: set[str] = frozenset()) -> FolderRead:
    """Every accepted file of the tree, checked alone and then against each other."""
    if not root.is_dir():
        raise DocumentRejected([Problem(str(root), "folder", "not a folder")])
    result = FolderRead()
    for path in candidate_files(root):
        name = path.relative_to(root).as_posix()
        if path.suffix.lower() not in FORMATS:
            accepted = ", ".join(FORMATS)
            result.problems.append(Problem(name, "format", f"unsupported file type '{path.suffix}'; accepted: {accepted}"))
            result.rejected_files.add(name)
            continue
        try:
            result.documents.append(read_file(path, name))
        except DocumentRejected as rejected:
            result.problems += rejected.problems
            result.rejected_files.add(name)
    _reject_duplicates(result)
    _reject_dangling_disclosures(result, known_disclosures)
    return result


def _reject_duplicates(result: FolderRead) -> None:
    by_key: dict[str, list[SourceDocument]] = {}
    for doc in result.documents:
        by_key.setdefault(doc.meta.key, []).append(doc)
    for docs in by_key.values():
        if len(docs) > 1:
            _drop(result, docs, lambda d, files=", ".join(d.source for d in docs): Problem(
                d.source, "doc_id", f"'{d.meta.doc_id}' version {d.meta.version} is defined by more than one "
                f"file ({files}); each version of a doc_id must come from one file"))


def _reject_dangling_disclosures(result: FolderRead, known: set[str]) -> None:
    disclosures = set(known) | {d.meta.doc_id for d in result.documents if d.meta.category == "disclosure"}
    broken = [d for d in result.documents if set(d.meta.disclosures) - disclosures]
    _drop(result, broken, lambda d: Problem(
        d.source, "disclosures", "refers to no disclosure document: " + ", ".join(sorted(set(d.meta.disclosures) - disclosures))))


def _drop(result: FolderRead, docs: list[SourceDocument], problem) -> None:
    for doc in docs:
        result.problems.append(problem(doc))
        result.rejected_files.add(doc.source)
    result.documents = [d for d in result.documents if d.source not in result.rejected_files]
