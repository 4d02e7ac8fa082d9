"""The editors' changes to a live knowledge base: preview, publish (now or scheduled), roll back.

Each change is one new document version, checked against what is stored, embedded in full
before anything is written, committed by the store in one step, and then added to the serving
index; if any step fails, what agents see is unchanged and the editor is told why.
"""

import datetime as dt
import difflib
from dataclasses import dataclass, field

from ingest.indexer import doc_nodes
from ingest.reader import content_hash
from ingest.upload import UPLOAD_PREFIX, Upload, read_upload
from kb.catalog import Catalog
from kb.documents import current_version, status_of
from kb.errors import BadRequest, DocumentRejected, GateRefused, NotFound, Problem
from kb.models import SourceDocument


@dataclass
class Preview:
    """What publishing would do: the version it becomes, its status, its chunks, the change."""

    document: SourceDocument
    status: str
    chunks: list[tuple[str, str]]
    diff: list[str]
    replaces: SourceDocument | None = None
    unchanged: bool = False
    gate: object | None = None  # evals.gate.GateResult, once `preview` has run it


@dataclass
class Published:
    doc_id: str
    version: int
    status: str
    content_hash: str
    unchanged: bool = False
    audit_id: int | None = None
    warnings: list[str] = field(default_factory=list)


class Publisher:
    """`gate(doc, nodes)`: what the evaluation gate says of a new version (evals.gate.check, given
    by the application that composes ingest and evals, which ingest does not import)."""

    def __init__(self, kb, gate):
        self.kb = kb
        self.gate = gate

    def preview(self, filename: str, data: bytes, form: dict) -> Preview:
        """Validation (every problem at once, as DocumentRejected), chunks, diff, and what the
        evaluation gate would say; nothing stored."""
        upload = read_upload(filename, data, form, self.kb.settings.upload_max_bytes)
        preview = self._preview(upload)
        if not preview.unchanged:
            preview.gate = self._gate(preview.document, self._embedded(preview.document))
        return preview

    def publish(self, filename: str, data: bytes, form: dict, user: str, override: str = "") -> Published:
        """`override`: the written reason to publish although the evaluation gate refuses."""
        upload = read_upload(filename, data, form, self.kb.settings.upload_max_bytes)
        preview = self._preview(upload)
        if preview.unchanged:
            doc = preview.document
            return Published(doc.meta.doc_id, doc.meta.version, preview.status, doc.content_hash, unchanged=True)
        return self._write(preview, user, "publish", "", override,
                           keep=lambda: self.kb.originals.keep(preview.document.meta.key, filename, data, upload.form, user))

    def rollback(self, doc_id: str, version: int, user: str, override: str = "") -> Published:
        """Make an earlier version's content live again, as a new version (history is kept, and
        `--as-of` still answers from what was live on each day)."""
        catalog = self.kb.catalog
        old = catalog.by_key.get(f"{doc_id}@v{version}")
        if old is None:
            raise NotFound(f"'{doc_id}' has no version {version}")
        live = _live_of(doc_id, catalog)
        if live is not None and _same_content(live, old):
            return Published(doc_id, live.meta.version, "live", live.content_hash, unchanged=True,
                             warnings=[f"version {version} has the live version's content: nothing changed"])
        newest = max(_versions(doc_id, catalog))
        today = dt.date.today()
        doc = _renumbered(old, newest + 1, effective_from=today, effective_to=None).model_copy(
            update={"source": f"{UPLOAD_PREFIX}rollback-to-v{version}"})
        preview = Preview(doc, "live", _chunk_view(doc), _diff(current_version(doc_id, catalog, today), doc),
                          replaces=current_version(doc_id, catalog, today))
        return self._write(preview, user, "rollback", f"to version {version}", override)

    def retire(self, doc_id: str, last_day: dt.date, user: str, override: str = "") -> Published:
        """Stop a document answering after `last_day`: a new version of its live content whose
        window ends then (the earlier versions keep answering `--as-of` their own days)."""
        today = dt.date.today()
        live = _live_of(doc_id, self.kb.catalog)
        if live is None:
            raise NotFound(f"'{doc_id}' has no live version to retire")
        if last_day < today:
            raise BadRequest(f"the last day {last_day} is in the past; the earliest is today")
        newest = max(_versions(doc_id, self.kb.catalog))
        doc = _renumbered(live, newest + 1, effective_from=today, effective_to=last_day).model_copy(
            update={"source": f"{UPLOAD_PREFIX}retire-after-{last_day}"})
        preview = Preview(doc, "live", _chunk_view(doc), _diff(live, doc), replaces=live)
        return self._write(preview, user, "retire", f"last day {last_day}", override)

    def _preview(self, upload: Upload) -> Preview:
        catalog = self.kb.catalog
        doc = self._numbered(upload, catalog)
        problems = _conflicts(doc, catalog)
        if problems:
            raise DocumentRejected(problems)
        existing = catalog.by_key.get(doc.meta.key)
        live = _live_of(doc.meta.doc_id, catalog)
        after = Catalog([*(d for k, d in catalog.by_key.items() if k != doc.meta.key), doc])
        return Preview(doc, status_of(doc.meta, after, dt.date.today()), _chunk_view(doc),
                       _diff(live, doc), replaces=live,
                       unchanged=existing is not None and existing.content_hash == doc.content_hash)

    @staticmethod
    def _numbered(upload: Upload, catalog: Catalog) -> SourceDocument:
        """An upload that gives no version is the next version of its doc_id, unless it is the
        newest version again (the same file uploaded twice)."""
        doc = upload.document
        versions = _versions(doc.meta.doc_id, catalog)
        if upload.version_given or not versions:
            return doc
        newest = versions[max(versions)]
        again = _renumbered(doc, newest.meta.version)
        return again if again.content_hash == newest.content_hash else _renumbered(doc, newest.meta.version + 1)

    def _write(self, preview: Preview, user: str, action: str, reason: str, override: str,
               keep=None) -> Published:
        """Embed everything and pass the gate first; the audit entry is written, then the store
        commits the version in one step, then the serving index follows."""
        doc = preview.document
        nodes = self._embedded(doc)
        gate = self._gate(doc, nodes)
        warnings = []
        if not gate.passed:
            if not override.strip():
                raise GateRefused(gate)
            warnings.append(f"the evaluation gate was overridden: {gate.summary()}")
            reason = _overridden(reason, gate, override)
        kept = keep() if keep else None
        old_hash = preview.replaces.content_hash if preview.replaces else None
        audit_id = self.kb.audit.record(user, action, doc.meta.doc_id, doc.meta.version, old_hash,
                                        doc.content_hash, reason)
        try:
            self.kb.store.put_document(doc, nodes, self.kb.embedder.id)
        except Exception:
            if kept is not None:  # the version never committed: its upload is not kept either
                self.kb.originals.forget(kept)
            raise
        self.kb.audit.settle(audit_id, applied=True)
        self.kb.sync()
        return Published(doc.meta.doc_id, doc.meta.version, status_of(doc.meta, self.kb.catalog, dt.date.today()),
                         doc.content_hash, audit_id=audit_id, warnings=warnings)

    def _embedded(self, doc: SourceDocument) -> list:
        nodes = doc_nodes(doc)
        self.kb.embedder.component(nodes)
        return nodes

    def _gate(self, doc: SourceDocument, nodes):
        return self.gate(doc, nodes)


def _conflicts(doc: SourceDocument, catalog: Catalog) -> list[Problem]:
    """What the stored knowledge base forbids: reusing another document's doc_id, rewriting a
    published version, going back in version numbers, citing an unknown disclosure."""
    meta, file = doc.meta, doc.source.removeprefix(UPLOAD_PREFIX)
    versions = _versions(meta.doc_id, catalog)
    problems = []
    if versions:
        newest = versions[max(versions)]
        if newest.meta.category != meta.category:
            problems.append(Problem(file, "doc_id", f"'{meta.doc_id}' is already used by "
                                    f"'{newest.meta.title}' ({newest.meta.category}); choose another doc_id"))
        same = versions.get(meta.version)
        if same is not None and same.content_hash != doc.content_hash:
            problems.append(Problem(file, "version", f"version {meta.version} of '{meta.doc_id}' is "
                                    f"already published; a new version must be {max(versions) + 1} or "
                                    "higher (or leave version out)"))
        elif same is None and meta.version < max(versions):
            problems.append(Problem(file, "version", f"must be higher than {max(versions)}, the "
                                    f"newest version of '{meta.doc_id}' (or leave version out)"))
    disclosures = {d.meta.doc_id for d in catalog.by_key.values() if d.meta.category == "disclosure"}
    if meta.category == "disclosure":
        disclosures.add(meta.doc_id)
    unknown = sorted(set(meta.disclosures) - disclosures)
    if unknown:
        problems.append(Problem(file, "disclosures", "refers to no disclosure document: " + ", ".join(unknown)))
    return problems


def _overridden(reason: str, gate, override: str) -> str:
    broken = ", ".join(f.item_id for f in gate.failures)
    return "; ".join(filter(None, [reason, f"gate overridden (run {gate.run_id}: {broken}): {override.strip()}"]))


def _versions(doc_id: str, catalog: Catalog) -> dict[int, SourceDocument]:
    return {d.meta.version: d for d in catalog.by_key.values() if d.meta.doc_id == doc_id}


def _renumbered(doc: SourceDocument, version: int, **changes) -> SourceDocument:
    meta = doc.meta.model_copy(update={"version": version, **changes})
    return doc.model_copy(update={"meta": meta, "content_hash": content_hash(meta.model_dump_json(), doc.body)})


def _live_of(doc_id: str, catalog: Catalog) -> SourceDocument | None:
    return catalog.in_force(dt.date.today()).get(doc_id)


def _same_content(a: SourceDocument, b: SourceDocument) -> bool:
    """The same body and metadata, whatever their version numbers and effective days."""
    moving = {"version", "effective_from", "effective_to"}
    return a.body == b.body and a.meta.model_dump(exclude=moving) == b.meta.model_dump(exclude=moving)


def _chunk_view(doc: SourceDocument) -> list[tuple[str, str]]:
    return [(node.metadata["section"], node.text) for node in doc_nodes(doc)]


def _diff(old: SourceDocument | None, new: SourceDocument) -> list[str]:
    """Unified diff of the metadata and body against the live version (empty for a new doc_id)."""
    if old is None:
        return []
    return list(difflib.unified_diff(_as_lines(old), _as_lines(new), f"v{old.meta.version}",
                                     f"v{new.meta.version}", lineterm=""))


def _as_lines(doc: SourceDocument) -> list[str]:
    meta = doc.meta.model_dump(mode="json", exclude={"extra"}, exclude_defaults=True)
    return [f"{k}: {v}" for k, v in meta.items()] + [""] + doc.body.splitlines()
