"""Plain-text documents: encoding detection (UTF-8, BOM, GB18030/GBK) and sidecar metadata."""

import random

import pytest

from ingest.loaders import decode_text, load, read_sidecar
from ingest.reader import read_file
from kb.errors import DocumentRejected

META = "doc_id: deposit-time\ntitle: 定期存款利率\ncategory: deposit\nproducts: [定期存款, 整存整取]\n"
TEXT = "定期存款利率\n\n整存整取一年期年利率1.45%，三年期1.95%。\n提前支取按活期利率计息。\n"

ENCODINGS = {
    "utf-8": lambda s: s.encode("utf-8"),
    "utf-8-bom": lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"),
    "gb18030": lambda s: s.encode("gb18030"),
    "gbk": lambda s: s.encode("gbk"),
}
SIDECARS = ("deposit-time.txt.meta.yaml", "deposit-time.meta.yaml")


def only_problem(exc_info):
    problems = exc_info.value.problems
    assert len(problems) == 1, problems
    return problems[0]


@pytest.mark.parametrize("sidecar", SIDECARS)
@pytest.mark.parametrize("encoding", sorted(ENCODINGS))
def test_text_in_each_encoding_with_each_sidecar_form(tmp_path, encoding, sidecar):
    path = tmp_path / "deposit-time.txt"
    path.write_bytes(ENCODINGS[encoding](TEXT))
    (tmp_path / sidecar).write_text(META, encoding="utf-8")

    doc = read_file(path, "deposit/deposit-time.txt")

    assert doc.meta.doc_id == "deposit-time"
    assert doc.meta.products == ["定期存款", "整存整取"]
    assert doc.body == TEXT.strip()  # decoded exactly, BOM gone
    assert doc.source == "deposit/deposit-time.txt"


def test_yml_sidecar_is_accepted(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.meta.yml").write_text(META, encoding="utf-8")
    raw, _ = load(path, "a.txt")
    assert raw["doc_id"] == "deposit-time"


def test_gbk_sidecar_is_decoded(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.txt.meta.yaml").write_bytes(META.encode("gbk"))
    raw, _ = load(path, "a.txt")
    assert raw["title"] == "定期存款利率"


def test_big5_text_is_rejected_with_encoding_field(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("定期存款利率：整存整取一年期年利率為百分之一點四五。".encode("big5"))
    (tmp_path / "a.meta.yaml").write_text(META, encoding="utf-8")
    with pytest.raises(DocumentRejected) as exc:
        load(path, "dir/a.txt")
    problem = only_problem(exc)
    assert (problem.file, problem.field) == ("dir/a.txt", "encoding")
    assert "Big5" in problem.rule


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_bytes_are_rejected_with_encoding_field(tmp_path, seed):
    rng = random.Random(seed)
    path = tmp_path / "a.txt"
    path.write_bytes(bytes(rng.randrange(256) for _ in range(400)))
    (tmp_path / "a.meta.yaml").write_text(META, encoding="utf-8")
    with pytest.raises(DocumentRejected) as exc:
        load(path, "a.txt")
    assert only_problem(exc).field == "encoding"


def test_ascii_only_text_is_accepted():
    assert decode_text(b"Annual fee: 300 CNY\r\n", "a.txt") == "Annual fee: 300 CNY\r\n"


def test_missing_sidecar_is_rejected_naming_both_forms(tmp_path):
    path = tmp_path / "rates.txt"
    path.write_text(TEXT, encoding="utf-8")
    with pytest.raises(DocumentRejected) as exc:
        load(path, "x/rates.txt")
    problem = only_problem(exc)
    assert (problem.file, problem.field) == ("x/rates.txt", "metadata")
    assert "rates.txt.meta.yaml" in problem.rule and "rates.meta.yaml" in problem.rule


def test_sidecar_of_another_file_does_not_count(tmp_path):
    path = tmp_path / "rates.txt"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "other.meta.yaml").write_text(META, encoding="utf-8")
    with pytest.raises(DocumentRejected) as exc:
        read_sidecar(path, "rates.txt")
    assert only_problem(exc).field == "metadata"


def test_two_sidecars_are_rejected(tmp_path):
    path = tmp_path / "rates.txt"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "rates.txt.meta.yaml").write_text(META, encoding="utf-8")
    (tmp_path / "rates.meta.yaml").write_text(META, encoding="utf-8")
    with pytest.raises(DocumentRejected) as exc:
        load(path, "rates.txt")
    problem = only_problem(exc)
    assert problem.field == "metadata"
    assert "rates.txt.meta.yaml" in problem.rule and "rates.meta.yaml" in problem.rule


def test_sidecar_that_is_not_a_mapping_is_rejected(tmp_path):
    path = tmp_path / "rates.txt"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "rates.meta.yaml").write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(DocumentRejected) as exc:
        load(path, "rates.txt")
    problem = only_problem(exc)
    assert (problem.file, problem.field) == ("rates.txt", "metadata")


def test_sidecar_metadata_is_validated(tmp_path):
    path = tmp_path / "rates.txt"
    path.write_text(TEXT, encoding="utf-8")
    (tmp_path / "rates.meta.yaml").write_text("doc_id: rates\ntitle: 利率\n", encoding="utf-8")
    with pytest.raises(DocumentRejected) as exc:
        read_file(path, "rates.txt")
    assert [(p.file, p.field, p.rule) for p in exc.value.problems] == [("rates.txt", "category", "required")]
