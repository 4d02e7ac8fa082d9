import datetime as dt

import pytest

from kb.catalog import Catalog
from kb.documents import status_of, summaries
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
