"""Word documents built with python-docx: heading styles become sections, tables become rows."""

import io
import zipfile

import docx
import pytest

import ingest.loaders as loaders
from ingest.chunking import markdown_sections
from ingest.reader import read_file
from kb.errors import DocumentRejected

META = "doc_id: service-card-loss\ntitle: 挂失补卡指引\ncategory: service\n"


def build_docx() -> bytes:
    document = docx.Document()
    document.add_heading("挂失补卡指引", level=0)  # style "Title"
    document.add_paragraph("本指引适用于借记卡和信用卡。")
    document.add_heading("一、电话挂失", level=1)
    document.add_paragraph("客户可拨打客服热线办理口头挂失。")
    document.add_heading("临时挂失有效期", level=2)
    document.add_paragraph("口头挂失有效期为五天。")
    document.add_paragraph("五天内须到网点办理正式挂失", style="List Bullet")
    document.add_heading("二、补卡费用", level=1)
    table = document.add_table(rows=3, cols=2)
    for r, row in enumerate([["卡种", "补卡费"], ["借记卡", "10元"], ["信用卡", "免费"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def docx_file(tmp_path):
    path = tmp_path / "service-card-loss.docx"
    path.write_bytes(build_docx())
    (tmp_path / "service-card-loss.meta.yaml").write_text(META, encoding="utf-8")
    return path


def only_problem(exc_info):
    problems = exc_info.value.problems
    assert len(problems) == 1, problems
    return problems[0]


def test_styles_become_markdown_headings(docx_file):
    _, body = loaders.load(docx_file, "service-card-loss.docx")
    lines = body.split("\n\n")
    assert lines[0] == "# 挂失补卡指引"
    assert "## 一、电话挂失" in lines
    assert "### 临时挂失有效期" in lines
    assert "## 二、补卡费用" in lines
    assert "- 五天内须到网点办理正式挂失" in lines
    assert "口头挂失有效期为五天。" in lines


def test_table_becomes_markdown_rows(docx_file):
    _, body = loaders.load(docx_file, "service-card-loss.docx")
    assert "| 卡种 | 补卡费 |\n|---|---|\n| 借记卡 | 10元 |\n| 信用卡 | 免费 |" in body


def test_word_sections_follow_the_heading_styles(docx_file):
    doc = read_file(docx_file, "service/service-card-loss.docx")
    sections = dict(markdown_sections(doc.body, doc.meta.title))
    # the Title paragraph equals the document title, so it does not appear in section paths
    assert list(sections) == ["挂失补卡指引", "一、电话挂失", "一、电话挂失 › 临时挂失有效期", "二、补卡费用"]
    assert sections["一、电话挂失 › 临时挂失有效期"].startswith("口头挂失有效期为五天。")
    assert "| 信用卡 | 免费 |" in sections["二、补卡费用"]


def test_truncated_docx_is_rejected(tmp_path):
    data = build_docx()
    with pytest.raises(DocumentRejected) as exc:
        loaders.load_docx(data[: len(data) // 2], "a.docx")
    problem = only_problem(exc)
    assert (problem.file, problem.field) == ("a.docx", "body")
    assert "not a readable .docx" in problem.rule


def test_zip_that_is_not_a_word_document_is_rejected():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "你好")
    with pytest.raises(DocumentRejected) as exc:
        loaders.load_docx(buffer.getvalue(), "a.docx")
    assert "not a readable .docx" in only_problem(exc).rule


def test_non_zip_file_with_docx_extension_is_rejected(tmp_path):
    path = tmp_path / "a.docx"
    path.write_text("这其实是一个文本文件", encoding="utf-8")
    (tmp_path / "a.meta.yaml").write_text(META, encoding="utf-8")
    with pytest.raises(DocumentRejected) as exc:
        loaders.load(path, "a.docx")
    problem = only_problem(exc)
    assert (problem.file, problem.field) == ("a.docx", "body")


def test_docx_unpacking_over_the_limit_is_rejected(monkeypatch):
    data = build_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    monkeypatch.setattr(loaders, "MAX_UNZIPPED_BYTES", unpacked - 1)
    with pytest.raises(DocumentRejected) as exc:
        loaders.load_docx(data, "a.docx")
    problem = only_problem(exc)
    assert problem.field == "body"
    assert f"unpacks to {unpacked} bytes" in problem.rule


def test_docx_at_the_limit_is_accepted(monkeypatch):
    data = build_docx()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    monkeypatch.setattr(loaders, "MAX_UNZIPPED_BYTES", unpacked)
    assert "挂失补卡指引" in loaders.load_docx(data, "a.docx")


def test_zip_bomb_is_rejected_before_unpacking(monkeypatch):
    monkeypatch.setattr(loaders, "MAX_UNZIPPED_BYTES", 100_000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * 1_000_000)
    assert len(buffer.getvalue()) < 100_000  # small on disk, large unpacked
    with pytest.raises(DocumentRejected) as exc:
        loaders.load_docx(buffer.getvalue(), "bomb.docx")
    assert "over the 100000 byte limit" in only_problem(exc).rule
