"""read_folder: every file checked alone, then against each other; problems name files relative to the folder."""

import pytest

from ingest.reader import candidate_files, read_folder
from kb.errors import DocumentRejected


def md(doc_id, category="credit_card", version=None, disclosures=None, body="正文内容。", title=None):
    lines = ["---", f"doc_id: {doc_id}", f"title: {title or doc_id + ' 标题'}", f"category: {category}"]
    if version is not None:
        lines.append(f"version: {version}")
    if disclosures is not None:
        lines.append(f"disclosures: [{', '.join(disclosures)}]")
    return "\n".join(lines + ["---", body, ""])


def put(root, relative, text):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def keys(result):
    return sorted(d.meta.key for d in result.documents)


def test_good_folder(tmp_path):
    put(tmp_path, "credit_card/cc-gold.md", md("cc-gold", disclosures=["disc-credit-interest"]))
    put(tmp_path, "disclosure/disc-credit-interest.md", md("disc-credit-interest", "disclosure"))
    put(tmp_path, "deposit/deposit-time.txt", "一年期定期存款年利率1.45%。")
    put(tmp_path, "deposit/deposit-time.txt.meta.yaml", "doc_id: deposit-time\ntitle: 定期\ncategory: deposit\n")
    result = read_folder(tmp_path)
    assert result.problems == []
    assert result.rejected_files == set()
    assert keys(result) == ["cc-gold@v1", "deposit-time@v1", "disc-credit-interest@v1"]
    assert sorted(d.source for d in result.documents) == [
        "credit_card/cc-gold.md", "deposit/deposit-time.txt", "disclosure/disc-credit-interest.md"]


def test_sidecars_and_hidden_files_are_not_documents(tmp_path):
    put(tmp_path, "a.txt", "正文")
    put(tmp_path, "a.meta.yaml", "doc_id: a\ntitle: A\ncategory: service\n")
    put(tmp_path, "orphan.meta.yml", "doc_id: b\n")
    put(tmp_path, ".git/config", "[core]")
    put(tmp_path, ".hidden.md", "not front matter")
    put(tmp_path, "sub/.DS_Store", "junk")
    assert [p.name for p in candidate_files(tmp_path)] == ["a.txt"]
    result = read_folder(tmp_path)
    assert result.problems == [] and keys(result) == ["a@v1"]


def test_duplicate_doc_id_and_version_rejects_both_files(tmp_path):
    put(tmp_path, "a/fee.md", md("fee-transfer", "fee_rule", version=2))
    put(tmp_path, "b/fee-copy.md", md("fee-transfer", "fee_rule", version=2, body="另一份正文。"))
    put(tmp_path, "ok.md", md("fee-account", "fee_rule"))
    result = read_folder(tmp_path)
    assert keys(result) == ["fee-account@v1"]
    assert result.rejected_files == {"a/fee.md", "b/fee-copy.md"}
    assert sorted(p.file for p in result.problems) == ["a/fee.md", "b/fee-copy.md"]
    for problem in result.problems:
        assert problem.field == "doc_id"
        assert "a/fee.md" in problem.rule and "b/fee-copy.md" in problem.rule


def test_default_version_collides_with_explicit_version_1(tmp_path):
    put(tmp_path, "a.md", md("fee-transfer", "fee_rule"))
    put(tmp_path, "b.md", md("fee-transfer", "fee_rule", version=1))
    result = read_folder(tmp_path)
    assert result.documents == []
    assert result.rejected_files == {"a.md", "b.md"}


def test_two_versions_of_one_doc_id_in_two_files_are_accepted(tmp_path):
    put(tmp_path, "fee-transfer.md", md("fee-transfer", "fee_rule", version=1))
    put(tmp_path, "fee-transfer-2024.md", md("fee-transfer", "fee_rule", version=2))
    result = read_folder(tmp_path)
    assert result.problems == []
    assert keys(result) == ["fee-transfer@v1", "fee-transfer@v2"]


def test_disclosure_that_refers_to_no_disclosure_document_is_rejected(tmp_path):
    put(tmp_path, "loan.md", md("loan-consumer", "loan", disclosures=["disc-loan-rate", "disc-missing"]))
    put(tmp_path, "disc.md", md("disc-loan-rate", "disclosure"))
    result = read_folder(tmp_path)
    assert keys(result) == ["disc-loan-rate@v1"]
    assert result.rejected_files == {"loan.md"}
    [problem] = result.problems
    assert (problem.file, problem.field) == ("loan.md", "disclosures")
    assert problem.rule.endswith("disc-missing")


def test_disclosure_must_point_at_a_disclosure_category_document(tmp_path):
    put(tmp_path, "loan.md", md("loan-consumer", "loan", disclosures=["loan-rate"]))
    put(tmp_path, "rate.md", md("loan-rate", "loan"))  # exists, but is not a disclosure document
    result = read_folder(tmp_path)
    assert result.rejected_files == {"loan.md"}
    assert keys(result) == ["loan-rate@v1"]


def test_disclosure_already_in_the_store_counts(tmp_path):
    put(tmp_path, "loan.md", md("loan-consumer", "loan", disclosures=["disc-loan-rate"]))
    result = read_folder(tmp_path, known_disclosures={"disc-loan-rate"})
    assert result.problems == [] and keys(result) == ["loan-consumer@v1"]


def test_disclosure_of_a_rejected_disclosure_document_does_not_count(tmp_path):
    put(tmp_path, "loan.md", md("loan-consumer", "loan", disclosures=["disc-loan-rate"]))
    put(tmp_path, "disc.md", md("disc-loan-rate", "disclosure", body=""))  # empty body: rejected
    result = read_folder(tmp_path)
    assert result.documents == []
    assert result.rejected_files == {"loan.md", "disc.md"}


def test_unsupported_extension_is_reported(tmp_path):
    put(tmp_path, "notes/rates.xlsx", "binary")
    put(tmp_path, "README", "no suffix")
    put(tmp_path, "ok.md", md("ok"))
    result = read_folder(tmp_path)
    assert keys(result) == ["ok@v1"]
    assert result.rejected_files == {"notes/rates.xlsx", "README"}
    by_file = {p.file: p for p in result.problems}
    assert by_file["notes/rates.xlsx"].field == "format"
    assert "'.xlsx'" in by_file["notes/rates.xlsx"].rule and ".docx" in by_file["notes/rates.xlsx"].rule


def test_problems_name_the_file_relative_to_the_folder(tmp_path):
    root = tmp_path / "kb"
    put(root, "deep/er/bad.md", md("Bad"))
    put(root, "deep/no-meta.txt", "正文")
    result = read_folder(root)
    assert result.documents == []
    assert {p.file for p in result.problems} == {"deep/er/bad.md", "deep/no-meta.txt"}
    assert not any(str(tmp_path) in p.file or str(tmp_path) in p.rule for p in result.problems)


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    put(tmp_path, "a.md", md("a", body=""))
    put(tmp_path, "b.md", md("b"))
    result = read_folder(tmp_path)
    assert keys(result) == ["b@v1"]
    assert [(p.file, p.field) for p in result.problems] == [("a.md", "body")]


def test_impossible_date_in_front_matter_is_a_problem_not_a_crash(tmp_path):
    put(tmp_path, "a.md", md("a").replace("---\n正文", "effective_from: 2025-02-30\n---\n正文"))
    put(tmp_path, "b.md", md("b"))
    result = read_folder(tmp_path)
    assert keys(result) == ["b@v1"]
    assert [p.file for p in result.problems] == ["a.md"]


def test_not_a_folder(tmp_path):
    with pytest.raises(DocumentRejected) as exc:
        read_folder(tmp_path / "missing")
    assert exc.value.problems[0].field == "folder"
