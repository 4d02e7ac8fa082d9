"""Every rule of validate_meta (the contract's front matter table), each shown to fire and to pass."""

import datetime as dt

import pytest

from ingest.validation import validate_meta
from kb.models import CATEGORIES

FILE = "credit/cc-gold.md"
BODY = "## 年费\n金卡年费300元。"


def good(**changes) -> dict:
    raw = {"doc_id": "cc-gold", "title": "金卡权益", "category": "credit_card"}
    raw.update(changes)
    return {k: v for k, v in raw.items() if v is not _DROP}


_DROP = object()


def problems_of(raw, body=BODY):
    meta, problems = validate_meta(raw, body, FILE)
    if problems:
        assert meta is None
    return [(p.field, p.rule) for p in problems]


def fields_of(raw, body=BODY):
    return [field for field, _ in problems_of(raw, body)]


def test_minimal_document_is_valid_with_defaults():
    meta, problems = validate_meta(good(), BODY, FILE)
    assert problems == []
    assert (meta.doc_id, meta.title, meta.category) == ("cc-gold", "金卡权益", "credit_card")
    assert meta.version == 1
    assert meta.products == [] and meta.disclosures == [] and meta.intents == []
    assert meta.effective_from is None and meta.effective_to is None and meta.risk_level is None
    assert meta.extra == {}


def test_every_optional_field_is_kept():
    raw = good(products=["金卡", "gold card"], version=3, effective_from=dt.date(2025, 1, 1),
               effective_to="2025-12-31", disclosures=["disc-credit-interest"], risk_level="R3",
               intents=["投诉"])
    meta, problems = validate_meta(raw, BODY, FILE)
    assert problems == []
    assert meta.products == ["金卡", "gold card"]
    assert meta.version == 3
    assert meta.effective_from == dt.date(2025, 1, 1)
    assert meta.effective_to == dt.date(2025, 12, 31)  # an ISO string becomes a date
    assert meta.disclosures == ["disc-credit-interest"]
    assert meta.risk_level == "R3"
    assert meta.intents == ["投诉"]


@pytest.mark.parametrize("field", ["doc_id", "title", "category"])
def test_each_required_field_missing(field):
    assert problems_of(good(**{field: _DROP})) == [(field, "required")]


@pytest.mark.parametrize("doc_id", ["CC-gold", "cc_gold", "-cc", "cc gold", "", "卡", "cc.gold", 123])
def test_bad_doc_id(doc_id):
    problems = problems_of(good(doc_id=doc_id))
    assert [f for f, _ in problems] == ["doc_id"]
    assert "[a-z0-9][a-z0-9-]*" in problems[0][1]


@pytest.mark.parametrize("doc_id", ["a", "0", "cc-gold-2025", "9-lives", "a-"])
def test_good_doc_id(doc_id):
    assert problems_of(good(doc_id=doc_id)) == []


def test_doc_id_with_trailing_newline_is_rejected():
    assert fields_of(good(doc_id="cc-gold\n")) == ["doc_id"]


@pytest.mark.parametrize("title", ["", "   ", 42, ["a"]])
def test_bad_title(title):
    assert problems_of(good(title=title)) == [("title", "must be a non-empty string")]


@pytest.mark.parametrize("category", ["credit", "Credit_Card", "", 1, "fee"])
def test_bad_category(category):
    problems = problems_of(good(category=category))
    assert [f for f, _ in problems] == ["category"]
    assert all(c in problems[0][1] for c in CATEGORIES)


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_contract_category_is_accepted(category):
    assert problems_of(good(category=category)) == []


@pytest.mark.parametrize("version", [0, -1, "2", True, False, 1.0, 2.5, None, 2**63, 2**31])
def test_bad_version(version):
    assert problems_of(good(version=version)) == [("version", "must be an integer from 1 to 2147483647")]


@pytest.mark.parametrize("version", [1, 2, 17])
def test_good_version(version):
    meta, problems = validate_meta(good(version=version), BODY, FILE)
    assert problems == [] and meta.version == version


@pytest.mark.parametrize("field", ["effective_from", "effective_to"])
@pytest.mark.parametrize("value", ["2025-13-01", "2025-02-30", "yesterday", "01/02/2025", True])
def test_bad_dates(field, value):
    assert problems_of(good(**{field: value})) == [(field, f"not a date ({value}); an ISO date YYYY-MM-DD")]


def test_datetime_becomes_its_date():
    meta, problems = validate_meta(good(effective_from=dt.datetime(2025, 3, 1, 8, 30)), BODY, FILE)
    assert problems == [] and meta.effective_from == dt.date(2025, 3, 1)


def test_effective_to_before_effective_from():
    raw = good(effective_from=dt.date(2025, 7, 1), effective_to=dt.date(2025, 6, 30))
    assert problems_of(raw) == [("effective_to", "must not be before effective_from")]


def test_one_day_window_is_valid():
    raw = good(effective_from="2025-07-01", effective_to="2025-07-01")
    assert problems_of(raw) == []


@pytest.mark.parametrize("field", ["products", "intents", "disclosures"])
@pytest.mark.parametrize("value", ["金卡", None, {"a": 1}, ["金卡", ""], ["  "], ["金卡", True]])
def test_lists_must_be_lists_of_non_empty_strings(field, value):
    assert problems_of(good(**{field: value})) == [(field, "must be a list of non-empty strings")]


@pytest.mark.parametrize("field", ["intents", "disclosures"])
def test_a_number_is_no_intent_or_disclosure(field):
    assert problems_of(good(**{field: ["金卡", 3]})) == [(field, "must be a list of non-empty strings")]


def test_a_bare_number_among_product_names_is_kept_as_written():
    meta, problems = validate_meta(good(products=["客服热线", 95390, 1.5]), "正文", FILE)
    assert problems == [] and meta.products == ["客服热线", "95390", "1.5"]


@pytest.mark.parametrize("ref", ["Disc-Rate", "disc_rate", "-disc"])
def test_bad_disclosure_id(ref):
    assert problems_of(good(disclosures=["disc-ok", ref])) == [("disclosures", f"'{ref}' is not a valid doc_id")]


@pytest.mark.parametrize("risk", ["R0", "R6", "r3", "3", 3, ""])
def test_bad_risk_level(risk):
    assert problems_of(good(risk_level=risk)) == [("risk_level", "must be one of R1, R2, R3, R4, R5")]


@pytest.mark.parametrize("risk", ["R1", "R2", "R3", "R4", "R5"])
def test_good_risk_level(risk):
    assert problems_of(good(risk_level=risk)) == []


@pytest.mark.parametrize("body", ["", "  \n\t\n"])
def test_empty_body(body):
    assert problems_of(good(), body) == [("body", "must not be empty")]


def test_unknown_fields_are_kept_in_extra():
    raw = good(owner="信用卡中心", review_date=dt.date(2025, 5, 1), tags=["热门", dt.date(2025, 1, 2)],
               contact={"dept": "零售", "since": dt.date(2024, 1, 1)}, priority=2)
    meta, problems = validate_meta(raw, BODY, FILE)
    assert problems == []
    assert meta.extra == {
        "owner": "信用卡中心",
        "review_date": "2025-05-01",
        "tags": ["热门", "2025-01-02"],
        "contact": {"dept": "零售", "since": "2024-01-01"},
        "priority": 2,
    }
    assert "owner" not in meta.model_dump(exclude={"extra"})
    meta.model_dump_json()  # storable as JSON


def test_all_problems_are_reported_at_once_with_file_field_rule():
    raw = {"doc_id": "Bad Id", "category": "nope", "version": 0, "effective_from": "2025-07-01",
           "effective_to": "2025-01-01", "products": "金卡", "intents": [1], "disclosures": ["BAD"],
           "risk_level": "R9"}
    meta, problems = validate_meta(raw, "", FILE)
    assert meta is None
    assert all(p.file == FILE for p in problems)
    assert [p.field for p in problems] == [
        "doc_id", "title", "category", "version", "effective_to", "products", "intents",
        "disclosures", "risk_level", "body"]
    assert all(p.rule for p in problems)
    assert str(problems[1]) == f"{FILE}: title: required"
