"""Markdown documents: YAML front matter + body, read through ingest.loaders.load and reader.read_file."""

import pytest

from ingest.loaders import load, split_front_matter
from ingest.reader import content_hash, read_file
from kb.errors import DocumentRejected

FRONT = "---\ndoc_id: cc-gold\ntitle: 金卡权益\ncategory: credit_card\nversion: 2\n---\n"
BODY = "# 金卡权益\n\n## 年费\n\n金卡年费300元，刷卡6次免次年年费。\n"


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def only_problem(exc_info):
    problems = exc_info.value.problems
    assert len(problems) == 1, problems
    return problems[0]


def test_front_matter_and_body_are_split(tmp_path):
    path = write(tmp_path, "cc-gold.md", FRONT + BODY)
    raw, body = load(path, "credit/cc-gold.md")
    assert raw == {"doc_id": "cc-gold", "title": "金卡权益", "category": "credit_card", "version": 2}
    assert body == BODY


def test_crlf_line_endings_are_accepted(tmp_path):
    path = write(tmp_path, "a.md", (FRONT + BODY).replace("\n", "\r\n"))
    raw, body = load(path, "a.md")
    assert raw["doc_id"] == "cc-gold"
    assert "金卡年费300元" in body
    assert not body.startswith("---")


def test_utf8_bom_is_accepted(tmp_path):
    path = write(tmp_path, "a.md", b"\xef\xbb\xbf" + (FRONT + BODY).encode("utf-8"))
    raw, body = load(path, "a.md")
    assert raw["doc_id"] == "cc-gold"  # the BOM must not hide the opening '---'


def test_gbk_markdown_is_decoded(tmp_path):
    path = write(tmp_path, "a.md", (FRONT + BODY).encode("gbk"))
    raw, body = load(path, "a.md")
    assert raw["title"] == "金卡权益"
    assert "刷卡6次免次年年费" in body


def test_upper_case_suffix_is_markdown(tmp_path):
    path = write(tmp_path, "A.MD", FRONT + BODY)
    raw, _ = load(path, "A.MD")
    assert raw["doc_id"] == "cc-gold"


def test_front_matter_ends_at_end_of_file(tmp_path):
    raw, body = split_front_matter("---\ndoc_id: a\n---", "a.md")
    assert raw == {"doc_id": "a"}
    assert body == ""


def test_missing_front_matter_is_rejected(tmp_path):
    path = write(tmp_path, "a.md", BODY)
    with pytest.raises(DocumentRejected) as exc:
        load(path, "sub/a.md")
    problem = only_problem(exc)
    assert (problem.file, problem.field) == ("sub/a.md", "front matter")
    assert "YAML front matter" in problem.rule


def test_front_matter_not_at_start_is_rejected(tmp_path):
    path = write(tmp_path, "a.md", "\n" + FRONT + BODY)
    with pytest.raises(DocumentRejected) as exc:
        load(path, "a.md")
    assert only_problem(exc).field == "front matter"


def test_unclosed_front_matter_is_rejected(tmp_path):
    path = write(tmp_path, "a.md", "---\ndoc_id: a\ntitle: t\n\n正文\n")
    with pytest.raises(DocumentRejected) as exc:
        load(path, "a.md")
    assert only_problem(exc).field == "front matter"


def test_invalid_yaml_is_rejected_naming_the_broken_field(tmp_path):
    path = write(tmp_path, "a.md", "---\ndoc_id: [a\ntitle: t\ncategory: deposit\n---\n正文\n")
    with pytest.raises(DocumentRejected) as exc:
        load(path, "a.md")
    problem = only_problem(exc)
    assert problem.field == "doc_id"
    assert problem.rule.startswith("line 1: invalid YAML")


def test_broken_yaml_reports_every_problem_not_the_first(tmp_path):
    text = "---\ndoc_id: [a\ntitle: t\ncategory: nope\nversion: {1\n---\n正文\n"
    with pytest.raises(DocumentRejected) as exc:
        load(write(tmp_path, "a.md", text), "a.md")
    assert {p.field for p in exc.value.problems} == {"doc_id", "version", "category"}


def test_yaml_broken_beyond_fields_is_one_front_matter_problem(tmp_path):
    path = write(tmp_path, "a.md", "---\n\tdoc_id: a\n---\n正文\n")
    with pytest.raises(DocumentRejected) as exc:
        load(path, "a.md")
    assert only_problem(exc).field == "front matter"


def test_front_matter_that_is_not_a_mapping_is_rejected(tmp_path):
    path = write(tmp_path, "a.md", "---\n- doc_id\n- title\n---\n正文\n")
    with pytest.raises(DocumentRejected) as exc:
        load(path, "a.md")
    assert "mapping" in only_problem(exc).rule


def test_read_file_builds_a_validated_document(tmp_path):
    path = write(tmp_path, "cc-gold.md", FRONT + "\n\n" + BODY + "\n\n")
    doc = read_file(path, "credit/cc-gold.md")
    assert doc.meta.doc_id == "cc-gold"
    assert doc.meta.version == 2
    assert doc.meta.key == "cc-gold@v2"
    assert doc.source == "credit/cc-gold.md"
    assert doc.body == BODY.strip()
    assert doc.content_hash == content_hash(doc.meta.model_dump_json(), BODY.strip())


def test_read_file_reports_every_broken_rule(tmp_path):
    path = write(tmp_path, "a.md", "---\ndoc_id: Bad_Id\ncategory: nope\n---\n正文\n")
    with pytest.raises(DocumentRejected) as exc:
        read_file(path, "a.md")
    fields = {p.field for p in exc.value.problems}
    assert fields == {"doc_id", "title", "category"}
    assert all(p.file == "a.md" for p in exc.value.problems)
    assert "a.md: doc_id:" in str(exc.value)


def test_content_hash_changes_with_body_and_metadata():
    base = content_hash('{"doc_id":"a"}', "正文")
    assert base == content_hash('{"doc_id":"a"}', "正文")
    assert base != content_hash('{"doc_id":"a"}', "正文。")
    assert base != content_hash('{"doc_id":"b"}', "正文")
    assert len(base) == 64


def test_an_impossible_date_names_its_field_and_rule(tmp_path):
    """It used to read "front matter: invalid YAML: month must be in 1..12"."""
    path = write(tmp_path, "a.md", "---\ndoc_id: a\ntitle: t\ncategory: deposit\neffective_from: 2026-13-45\n---\n正文\n")
    meta, body = load(path, "a.md")
    from ingest.validation import validate_meta

    _, problems = validate_meta(meta, body, "a.md")
    assert [str(p) for p in problems] == ["a.md: effective_from: not a date (2026-13-45); an ISO date YYYY-MM-DD"]
