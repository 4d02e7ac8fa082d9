import datetime as dt

import pytest

from kb.catalog import Catalog
from kb.documents import in_force_span, status_of, summaries
from kb.errors import BadRequest
from kb.models import DocMeta, SourceDocument

DAY = dt.date(2026, 6, 1)


def doc(doc_id, version=1, start=None, end=None, body="正文", products=()):
    meta = DocMeta(doc_id=doc_id, title=f"{doc_id} 标题", category="fee_rule", version=version,
                   effective_from=start, effective_to=end, products=list(products))
    return SourceDocument(meta=meta, body=body, source=f"{doc_id}.md", content_hash=f"{doc_id}{version}")


CATALOG = Catalog([
    doc("fee", 1, end=dt.date(2025, 12, 31)), doc("fee", 2, start=dt.date(2026, 1, 1)),
    doc("fee", 3, start=dt.date(2027, 1, 1)),
    doc("old", 1, end=dt.date(2026, 3, 31), body="已停办的业务"),
    doc("new", 1, start=dt.date(2026, 9, 1), products=["新卡"]),
    doc("plain", 1, products=["普卡"]),
])


@pytest.mark.parametrize("doc_id, version, status", [
    ("fee", 1, "superseded"), ("fee", 2, "live"), ("fee", 3, "scheduled"),
    ("old", 1, "retired"), ("new", 1, "scheduled"), ("plain", 1, "live"),
])
def test_each_version_has_a_status_on_the_day(doc_id, version, status):
    assert status_of(CATALOG.meta(f"{doc_id}@v{version}"), CATALOG, DAY) == status


def test_the_list_shows_current_versions_and_filters():
    rows = {r.doc_id: (r.version, r.status) for r in summaries(CATALOG, DAY)}
    assert rows == {"fee": (2, "live"), "old": (1, "retired"), "new": (1, "scheduled"),
                    "plain": (1, "live")}
    assert [(r.doc_id, r.version) for r in summaries(CATALOG, DAY, status="superseded")] == [("fee", 1)]
    assert [(r.doc_id, r.version) for r in summaries(CATALOG, DAY, status="scheduled")] == [("fee", 3), ("new", 1)]
    assert [r.doc_id for r in summaries(CATALOG, DAY, product="新卡")] == ["new"]
    assert [r.doc_id for r in summaries(CATALOG, DAY, search="停办")] == ["old"]
    assert [r.doc_id for r in summaries(CATALOG, DAY, search="OLD 标题")] == ["old"]


def versions_in(first=None, last=None, **filters):
    return [(r.doc_id, r.version) for r in summaries(CATALOG, DAY, in_force_from=first, in_force_to=last, **filters)]


def test_a_versions_span_is_the_days_the_catalog_puts_it_in_force():
    """Checked day by day against Catalog.in_force, with a newer version that hides an older one
    from its first day and one whose successor begins before it does."""
    catalog = Catalog([*CATALOG.by_key.values(), doc("hidden", 1, start=dt.date(2026, 5, 1)), doc("hidden", 2),
                       doc("cut", 1, start=dt.date(2026, 7, 1)), doc("cut", 2, start=dt.date(2026, 6, 1))])
    days = [dt.date(2025, 12, 1) + dt.timedelta(days=n) for n in range(450)]
    for version in catalog.by_key.values():
        span = in_force_span(version, catalog)
        for day in days:
            answering = catalog.in_force(day).get(version.meta.doc_id) is version
            assert answering == (span is not None and span[0] <= day <= span[1]), (version.meta.key, day)
    assert in_force_span(catalog.by_key["hidden@v1"], catalog) is None
    assert in_force_span(catalog.by_key["fee@v2"], catalog) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_the_in_force_window_lists_every_version_answering_on_one_of_its_days():
    assert versions_in(dt.date(2026, 7, 1), dt.date(2026, 12, 31)) == [("fee", 2), ("new", 1), ("plain", 1)]
    assert versions_in(dt.date(2025, 12, 31), dt.date(2026, 1, 1)) == [("fee", 1), ("fee", 2), ("old", 1), ("plain", 1)]
    assert versions_in(dt.date(2025, 6, 1), dt.date(2025, 6, 1)) == [("fee", 1), ("old", 1), ("plain", 1)]
    assert versions_in(first=dt.date(2027, 1, 1)) == [("fee", 3), ("new", 1), ("plain", 1)]
    assert versions_in(last=dt.date(2026, 8, 31)) == [("fee", 1), ("fee", 2), ("old", 1), ("plain", 1)]


def test_the_window_combines_with_the_other_filters_and_refuses_a_reversed_one():
    assert versions_in(dt.date(2025, 1, 1), dt.date(2026, 12, 31), status="superseded") == [("fee", 1)]
    assert versions_in(dt.date(2026, 1, 1), dt.date(2026, 12, 31), product="新卡") == [("new", 1)]
    assert versions_in(dt.date(2026, 6, 1), None, search="停办") == []
    with pytest.raises(BadRequest, match="after"):
        versions_in(dt.date(2026, 2, 1), dt.date(2026, 1, 1))


def test_kb_docs_list_takes_the_window(ingested_kb):
    """The CLI's options reach the same core filter; a date that is not YYYY-MM-DD is a usage error."""
    from typer.testing import CliRunner

    from cli import app

    store = str(ingested_kb.settings.store)
    shown = CliRunner().invoke(app, ["--store", store, "docs", "list", "--category", "fee_rule",
                                     "--in-force-from", "2025-12-31", "--in-force-to", "2026-01-01"])
    assert shown.exit_code == 0, shown.output
    assert [line.split()[:2] for line in shown.output.splitlines()[:-1]] == [["fee-transfer", "v1"], ["fee-transfer", "v2"]]
    bad = CliRunner().invoke(app, ["--store", store, "docs", "list", "--in-force-to", "31/12/2025"])
    assert bad.exit_code == 2 and "--in-force-to" in bad.output
    reversed_ = CliRunner().invoke(app, ["--store", store, "docs", "list", "--in-force-from", "2026-02-01",
                                         "--in-force-to", "2026-01-01"])
    assert reversed_.exit_code == 2 and "after" in reversed_.output


def test_the_versions_in_force_of_one_category_are_those_in_force_of_it():
    script = doc("script-x", 1)
    script = SourceDocument(meta=script.meta.model_copy(update={"category": "script"}), body="话术",
                            source="script-x.md", content_hash="s1")
    catalog = Catalog([*CATALOG.by_key.values(), script])
    assert catalog.in_force_of(DAY, "script") == (script,)
    assert [d.meta.key for d in catalog.in_force_of(DAY, "fee_rule")] == ["fee@v2", "plain@v1"]
    assert catalog.in_force_of(dt.date(2027, 1, 1), "fee_rule")[0].meta.key == "fee@v3"
