"""PDF documents built with reportlab (CID font for Chinese): text layer, numbered headings, refusals."""

import io

import pytest
from pypdf import PdfWriter
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from ingest.chunking import markdown_sections
from ingest.loaders import load_pdf, pdf_text_to_markdown
from ingest.reader import read_file
from kb.errors import DocumentRejected

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))

LINES = [
    "个人住房贷款说明",
    "一、贷款额度",
    "首套住房最高可贷房价的百分之七十。",
    "（一）提前还款",
    "提前还款需提前十五个工作日预约。",
    "二、贷款利率",
    "贷款利率按合同约定执行。",
]


def build_pdf(lines=LINES, draw_text=True) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    if draw_text:
        pdf.setFont(FONT, 12)
        y = 800
        for line in lines:
            pdf.drawString(50, y, line)
            y -= 20
    else:
        pdf.rect(100, 100, 200, 200, fill=1)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def only_problem(exc_info):
    problems = exc_info.value.problems
    assert len(problems) == 1, problems
    return problems[0]


def test_text_is_extracted_and_numbered_headings_become_sections():
    body = load_pdf(build_pdf(), "loan.pdf")
    assert "## 一、贷款额度" in body.splitlines()
    assert "### （一）提前还款" in body.splitlines()
    assert "## 二、贷款利率" in body.splitlines()
    assert "首套住房最高可贷房价的百分之七十。" in body


def test_pdf_document_sections(tmp_path):
    path = tmp_path / "loan-mortgage.pdf"
    path.write_bytes(build_pdf())
    (tmp_path / "loan-mortgage.pdf.meta.yaml").write_text(
        "doc_id: loan-mortgage\ntitle: 个人住房贷款\ncategory: loan\n", encoding="utf-8")
    doc = read_file(path, "loan/loan-mortgage.pdf")
    sections = dict(markdown_sections(doc.body, doc.meta.title))
    assert list(sections) == ["个人住房贷款", "一、贷款额度", "一、贷款额度 › （一）提前还款", "二、贷款利率"]
    assert sections["一、贷款额度 › （一）提前还款"] == "提前还款需提前十五个工作日预约。"
    assert sections["个人住房贷款"] == "个人住房贷款说明"


def test_pdf_without_text_layer_is_rejected():
    with pytest.raises(DocumentRejected) as exc:
        load_pdf(build_pdf(draw_text=False), "scan.pdf")
    problem = only_problem(exc)
    assert (problem.file, problem.field) == ("scan.pdf", "body")
    assert "text layer" in problem.rule


@pytest.mark.parametrize("user_password", ["secret", ""])
def test_encrypted_pdf_is_rejected(user_password):
    writer = PdfWriter(clone_from=io.BytesIO(build_pdf()))
    writer.encrypt(user_password=user_password, owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentRejected) as exc:
        load_pdf(buffer.getvalue(), "locked.pdf")
    assert "encrypted" in only_problem(exc).rule


@pytest.mark.parametrize("data", [b"", b"this is not a pdf at all" * 20, b"%PDF-1.4\n\x00\x01garbage"])
def test_garbage_is_rejected(data):
    with pytest.raises(DocumentRejected) as exc:
        load_pdf(data, "bad.pdf")
    problem = only_problem(exc)
    assert (problem.file, problem.field) == ("bad.pdf", "body")
    assert "not a readable PDF" in problem.rule


def test_truncated_pdf_is_rejected():
    data = build_pdf()
    with pytest.raises(DocumentRejected):
        load_pdf(data[: len(data) // 3], "cut.pdf")


def test_corrupt_stream_filter_is_rejected_not_raised():
    data = build_pdf()
    assert b"/FlateDecode" in data
    corrupt = data.replace(b"/FlateDecode", b"/FlateDecodX")  # same length: offsets stay valid
    with pytest.raises(DocumentRejected):
        load_pdf(corrupt, "corrupt.pdf")


def test_pdf_text_to_markdown_heading_patterns():
    text = "\n".join([
        "第一章 总则",
        "一、适用范围",
        "（二）办理渠道",
        "(三)半角括号",
        "1.1 申请条件",
        "1. 不是标题，只是列表",
        "一、这一行以句号结尾所以不是标题。",
    ])
    assert pdf_text_to_markdown(text).splitlines() == [
        "## 第一章 总则", "",
        "", "## 一、适用范围", "",
        "", "### （二）办理渠道", "",
        "", "### (三)半角括号", "",
        "", "### 1.1 申请条件", "",
        "1. 不是标题，只是列表",
        "一、这一行以句号结尾所以不是标题。",
    ]


def test_long_numbered_line_is_not_a_heading():
    line = "一、" + "很长的正文" * 10  # over 40 characters
    assert not pdf_text_to_markdown(line).startswith("#")


def test_wrapped_lines_are_joined_and_short_lines_stand_alone():
    wrapped = "借款人可在贷款发放满一年后申请提前还款，提前还款金额不得低于"  # >= 30 chars, no sentence end
    text = f"{wrapped}\n一万元。\n短行\n另一短行\n• 项目符号"
    assert pdf_text_to_markdown(text).splitlines() == [
        wrapped + "一万元。", "短行", "另一短行", "- 项目符号"]


def test_wrapped_line_does_not_swallow_a_list_item():
    wrapped = "借款人可在贷款发放满一年后申请提前还款，提前还款金额不得低于一万元"
    assert len(wrapped) >= 30
    assert pdf_text_to_markdown(f"{wrapped}\n1、第一项").splitlines() == [wrapped, "1、第一项"]


def nested_pdf(depth: int) -> bytes:
    """A one-page PDF with text whose page holds an array nested `depth` deep."""
    content = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"
    nested = b"[" * depth + b"1" + b"]" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> /Deep " + nested + b" >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


def test_a_pdf_with_deeply_nested_arrays_is_refused_with_the_rule():
    assert load_pdf(nested_pdf(3), "flat.pdf").strip() == "Hello"
    for depth in (5_000, 100_000):
        with pytest.raises(DocumentRejected) as refused:
            load_pdf(nested_pdf(depth), "deep.pdf")
        assert refused.value.problems[0].field == "body"
