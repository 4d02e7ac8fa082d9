"""Editors' publish, schedule, retire and roll back on a live knowledge base; every bad upload is
refused with file, field and rule, and changes nothing agents see."""

import datetime as dt
import io
import zipfile

import docx
import pytest
from pypdf import PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from kb.errors import DocumentRejected, KBError, NotFound

NEW_DOC = """---
doc_id: deposit-notice
title: 通知存款产品说明
category: deposit
products: [通知存款, 七天通知存款]
---
# 通知存款产品说明

## 一、起存金额

- 七天通知存款起存金额为50000元。
"""

META_FORM = {"doc_id": "service-hours", "title": "网点营业时间", "category": "service",
             "products": "网点营业时间, 营业时间"}

pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))


def pdf_bytes(text: str | None) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    if text:
        pdf.setFont("STSong-Light", 12)
        pdf.drawString(50, 800, "网点营业时间")
        pdf.drawString(50, 780, text)
    else:
        pdf.rect(100, 100, 200, 200, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def docx_bytes() -> bytes:
    document = docx.Document()
    document.add_heading("网点营业时间", level=1)
    document.add_paragraph("工作日网点营业时间为9:00至17:00。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def live(corpus, kb_factory):
    kb = kb_factory()
    assert kb.ingest(corpus).ok
    return kb


def visible_state(kb):
    """What agents and editors can see: every version's hash, and an answer."""
    return kb.index.hashes, kb.ask("柜面跨行转账手续费多少").answer.text


def test_publish_a_new_document_answers_at_once_and_keeps_the_original(live):
    published = live.publisher.publish("deposit-notice.md", NEW_DOC.encode(), {}, user="ed")
    assert (published.doc_id, published.version, published.status) == ("deposit-notice", 1, "live")
    assert "50000元" in live.ask("七天通知存款起存金额多少").answer.text
    record, data = live.originals.read("deposit-notice@v1")
    assert data == NEW_DOC.encode() and record.uploaded_by == "ed"
    [entry] = live.history("deposit-notice")
    assert (entry.user, entry.action, entry.old_hash, entry.new_hash) == ("ed", "publish", None, published.content_hash)
    assert entry.applied


def test_a_new_version_without_a_number_becomes_the_next_and_supersedes(live, kbtest):
    old_hash = live.catalog.in_force(dt.date.today())["fee-transfer"].content_hash
    published = live.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
    assert published.version == 3 and published.status == "live"
    assert "3元" in live.ask("柜面跨行转账手续费多少").answer.text
    statuses = {v.meta.version: v.status for v in live.document("fee-transfer").versions}
    assert statuses == {1: "superseded", 2: "superseded", 3: "live"}
    assert live.audit.entries("fee-transfer")[0].old_hash == old_hash


def test_scheduled_version_waits_for_its_day(live, kbtest):
    day = dt.date.today() + dt.timedelta(days=10)
    text = kbtest.FEE_V3.replace("category: fee_rule", f"category: fee_rule\neffective_from: {day}")
    published = live.publisher.publish("fee.md", text.encode(), {}, user="ed")
    assert published.status == "scheduled"
    assert "3元" not in live.ask("柜面跨行转账手续费多少").answer.text
    assert "3元" in live.ask("柜面跨行转账手续费多少", as_of=day).answer.text


def test_rollback_makes_an_earlier_content_live_as_a_new_version(live, kbtest):
    live.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
    rolled = live.publisher.rollback("fee-transfer", 2, user="ed")
    assert rolled.version == 4 and rolled.status == "live"
    assert "3元" not in live.ask("柜面跨行转账手续费多少").answer.text
    assert live.catalog.by_key["fee-transfer@v4"].body == live.catalog.by_key["fee-transfer@v2"].body
    entry = live.audit.entries("fee-transfer")[0]
    assert (entry.action, entry.reason) == ("rollback", "to version 2")
    with pytest.raises(NotFound):
        live.publisher.rollback("fee-transfer", 9, user="ed")


def test_retire_ends_the_document_after_its_last_day(live):
    today = dt.date.today()
    retired = live.publisher.retire("fee-transfer", today, user="ed")
    assert retired.status == "live"
    tomorrow = today + dt.timedelta(days=1)
    assert "fee-transfer" not in live.catalog.in_force(tomorrow)
    cited = [c.doc_id for c in live.ask("柜面跨行转账手续费多少", as_of=tomorrow).answer.citations]
    assert "fee-transfer" not in cited
    assert "fee-transfer" in [c.doc_id for c in live.ask("柜面跨行转账手续费多少").answer.citations]
    assert live.document("fee-transfer", as_of=tomorrow).current.status == "retired"


def test_docx_and_pdf_uploads_take_metadata_from_the_form(live):
    published = live.publisher.publish("hours.docx", docx_bytes(), META_FORM, user="ed")
    assert published.version == 1
    assert "9:00" in live.ask("网点营业时间几点到几点").answer.text
    again = live.publisher.publish("hours.pdf", pdf_bytes("周末网点营业时间为10:00至16:00。"),
                                   {**META_FORM, "version": "2"}, user="ed")
    assert again.version == 2


def test_republishing_the_same_content_changes_nothing(live):
    first = live.publisher.publish("deposit-notice.md", NEW_DOC.encode(), {}, user="ed")
    again = live.publisher.publish("deposit-notice.md", NEW_DOC.encode(), {}, user="ed")
    assert again.unchanged and (again.version, again.content_hash) == (1, first.content_hash)
    numbered = NEW_DOC.replace("category: deposit", "category: deposit\nversion: 1")
    assert live.publisher.publish("d.md", numbered.encode(), {}, user="ed").unchanged
    assert len(live.audit.entries("deposit-notice")) == 1


def test_folder_reingest_keeps_uploaded_versions(live, corpus, kbtest):
    live.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
    report = live.ingest(corpus)
    assert report.removed == [] and "fee-transfer@v3" in live.catalog.by_key


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_bytes("加密文件。"))))
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * 60_000_000)
    return buffer.getvalue()


BAD_UPLOADS = {
    "missing title": ("a.md", NEW_DOC.replace("title: 通知存款产品说明\n", ""), {}, "title", "required"),
    "bad category": ("a.md", NEW_DOC.replace("category: deposit", "category: savings"), {}, "category", "must be one of"),
    "bad date": ("a.md", NEW_DOC.replace("category: deposit", "category: deposit\neffective_from: 'next week'"), {}, "effective_from", "ISO date"),
    "bad doc_id": ("a.md", NEW_DOC.replace("doc_id: deposit-notice", "doc_id: Deposit_Notice"), {}, "doc_id", "must match"),
    "bad risk level": ("a.md", NEW_DOC.replace("category: deposit", "category: deposit\nrisk_level: R9"), {}, "risk_level", "R1"),
    "unknown disclosure": ("a.md", NEW_DOC.replace("category: deposit", "category: deposit\ndisclosures: [disc-nope]"), {}, "disclosures", "disc-nope"),
    "doc_id of another document": ("a.md", NEW_DOC.replace("doc_id: deposit-notice", "doc_id: cc-gold"), {}, "doc_id", "already used by"),
    "published version rewritten": ("a.md", lambda fee_v3: fee_v3.replace("category: fee_rule", "category: fee_rule\nversion: 2"), {}, "version", "already published"),
    "older version": ("a.md", lambda fee_v3: fee_v3.replace("category: fee_rule", "category: fee_rule\nversion: 1"), {}, "version", "already published"),
    "empty body": ("a.md", NEW_DOC.split("# 通知存款")[0], {}, "body", "must not be empty"),
    "empty file": ("a.md", b"", {}, "file", "empty"),
    "unsupported type": ("a.exe", b"MZ", {}, "file", "unsupported file type"),
    "pdf named md": ("a.md", pdf_bytes("正文。"), {}, "file", "not the .md file"),
    "text named pdf": ("a.pdf", b"just text", META_FORM, "file", "not the .pdf file"),
    "text named docx": ("a.docx", "正文".encode(), META_FORM, "file", "not the .docx file"),
    "corrupt docx": ("a.docx", b"PK\x03\x04" + b"\x00" * 200, META_FORM, "body", "not a readable .docx"),
    "zip bomb docx": ("a.docx", _zip_bomb(), META_FORM, "body", "byte limit"),
    "encrypted pdf": ("a.pdf", _encrypted_pdf(), META_FORM, "body", "encrypted"),
    "pdf without text": ("a.pdf", pdf_bytes(None), META_FORM, "body", "no text layer"),
    "unknown encoding": ("a.txt", "網點營業時間為九點至五點，週末休息。".encode("big5"), META_FORM, "encoding", ""),
    "no metadata": ("a.txt", "营业时间".encode(), {}, "metadata", "no sidecar"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS, ids=list(BAD_UPLOADS))
def test_bad_upload_is_refused_with_file_field_rule_and_changes_nothing(live, case, kbtest):
    name, content, form, field, rule = BAD_UPLOADS[case]
    content = content(kbtest.FEE_V3) if callable(content) else content
    data = content.encode() if isinstance(content, str) else content
    before = visible_state(live)
    with pytest.raises(DocumentRejected) as refused:
        live.publisher.publish(name, data, form, user="ed")
    problems = [(p.file, p.field) for p in refused.value.problems]
    assert (name, field) in problems, refused.value.problems
    assert any(rule in p.rule for p in refused.value.problems)
    assert visible_state(live) == before
    assert live.audit.entries() == []


def test_oversized_upload_is_refused(live, monkeypatch):
    monkeypatch.setattr(live.settings, "upload_max_bytes", 100)
    with pytest.raises(DocumentRejected, match="over the 100 byte limit"):
        live.publisher.publish("a.md", NEW_DOC.encode(), {}, user="ed")


def test_a_failure_while_embedding_or_writing_leaves_the_live_state(live, monkeypatch, kbtest):
    before = visible_state(live)
    chunks_before = live.store.chunks().count()

    def broken(*_args, **_kwargs):
        raise KBError("the store refused the write")

    monkeypatch.setattr(live.store.documents, "upsert", broken)  # chunks written, no commit
    with pytest.raises(KBError, match="refused"):
        live.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
    monkeypatch.undo()
    live.refresh()
    assert visible_state(live) == before
    assert live.store.chunks().count() > chunks_before, "the half-written chunks are there..."
    assert live.store.collect_garbage() > 0 and live.store.chunks().count() == chunks_before
    [attempt] = live.history()  # written before the commit, so no live change lacks one
    assert (attempt.doc_id, attempt.applied) == ("fee-transfer", False)


def test_an_entry_s_outcome_never_changes_once_read(live, monkeypatch, kbtest):
    """A publish that failed mid-write, then the same content published again: the first entry
    stays not applied (it used to read applied once the second one committed its version)."""
    def broken(*_args, **_kwargs):
        raise KBError("the store refused the write")

    monkeypatch.setattr(live.store.documents, "upsert", broken)
    with pytest.raises(KBError):
        live.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
    monkeypatch.undo()
    [failed] = live.history()
    assert not failed.applied
    live.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
    second, first = live.history()[:2]
    assert (second.version, second.applied) == (first.version, True)
    assert first.id == failed.id and not first.applied


def test_a_failed_publish_keeps_no_original_row_or_file(live, monkeypatch, kbtest):
    folder = live.settings.store / "originals"
    files_before = sorted(folder.rglob("*")) if folder.exists() else []

    def broken(*_args, **_kwargs):
        raise KBError("the store refused the write")

    monkeypatch.setattr(live.store.documents, "upsert", broken)
    with pytest.raises(KBError):
        live.publisher.publish("fee.md", kbtest.FEE_V3.encode(), {}, user="ed")
    monkeypatch.undo()
    key = "fee-transfer@v3"
    with pytest.raises(NotFound):
        live.originals.read(key)
    assert (sorted(folder.rglob("*")) if folder.exists() else []) == files_before


def test_a_rollback_to_the_live_content_changes_nothing_and_says_so(live):
    entries = len(live.audit.entries("fee-transfer"))
    same = live.publisher.rollback("fee-transfer", 2, user="ed")  # v2 is the live version
    assert same.unchanged and same.version == 2 and "nothing changed" in same.warnings[0]
    assert len(live.audit.entries("fee-transfer")) == entries and "fee-transfer@v3" not in live.catalog.by_key
