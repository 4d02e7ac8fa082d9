"""evals.runner.load_dataset: JSON Lines items; malformed lines reported at once, by line number."""

import json

import pytest

from evals.runner import load_dataset
from kb.errors import KBError

GOOD = {"id": "cc-001", "question": "金卡年费多少？", "answerable": True,
        "expected_doc_ids": ["cc-gold"], "key_facts": ["300元"], "category": "credit_card", "tags": []}


def line(**changes):
    data = {**GOOD, **changes}
    return json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False)


def write(tmp_path, text, bom=False):
    path = tmp_path / "set.jsonl"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return path


def test_good_set_with_bom_and_blank_lines(tmp_path):
    path = write(tmp_path, line() + "\n\n   \n" + line(id="un-001", answerable=False) + "\n", bom=True)
    items = load_dataset(path)
    assert [i["id"] for i in items] == ["cc-001", "un-001"]
    assert items[0] == GOOD
    assert items[1]["answerable"] is False


def test_malformed_lines_are_reported_by_line_number_all_at_once(tmp_path):
    path = write(tmp_path, "\n".join([
        line(),                              # 1 ok
        "{not json",                         # 2
        "",                                  # 3 blank: skipped, still counted
        line(question=None),                 # 4 question missing
        line(answerable="yes"),              # 5 answerable not a bool
        line(id=7),                          # 6 id not a string
        line(),                              # 7 ok
    ]))
    with pytest.raises(KBError) as exc:
        load_dataset(path)
    lines = str(exc.value).splitlines()
    assert lines == [
        f"{path}:2: not JSON (Expecting property name enclosed in double quotes)",
        f"{path}:4: question: required, of type str",
        f"{path}:5: answerable: required, of type bool",
        f"{path}:6: id: required, of type str",
    ]


def test_every_missing_field_of_one_line_is_reported(tmp_path):
    path = write(tmp_path, "{}\n")
    with pytest.raises(KBError) as exc:
        load_dataset(path)
    assert str(exc.value).splitlines() == [f"{path}:1: {field}: required, of type {kind}"
                                           for field, kind in (("id", "str"), ("question", "str"),
                                                               ("answerable", "bool"))]


def test_line_that_is_not_an_object_is_reported(tmp_path):
    path = write(tmp_path, line() + "\n[1, 2]\n")
    with pytest.raises(KBError, match=":2:"):
        load_dataset(path)


def test_missing_file(tmp_path):
    with pytest.raises(KBError, match="no such evaluation set"):
        load_dataset(tmp_path / "absent.jsonl")


def test_a_set_that_is_not_utf8_is_a_clear_error(tmp_path):
    path = tmp_path / "gbk.jsonl"
    path.write_bytes('{"id": "a", "question": "年费多少", "answerable": true}\n'.encode("gbk"))
    with pytest.raises(KBError, match="not UTF-8"):
        load_dataset(path)


def test_deeply_nested_json_is_reported_by_line_not_raised(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"id": "a", "question": "q", "answerable": true}\n' + "[" * 100_000 + "]" * 100_000 + "\n",
                    encoding="utf-8")
    with pytest.raises(KBError) as error:
        load_dataset(path)
    assert "deep.jsonl:2: nested too deeply" in str(error.value)
