"""A product's name read inside a longer word of a document (定期, a time deposit's, inside 锁定期)
names no product: the figure of that clause is the document's own and is read against the
agent's."""

import pytest

pytestmark = pytest.mark.model


def _files(meta) -> dict[str, str]:
    return {
        "wealth/wm-equity.md": meta("wm-equity", "wealth", "星光权益理财") + (
            "# 星光权益理财\n\n## 锁定期与赎回\n\n- 锁定期：单笔申购的份额自确认日起须持有满180天，持有期内不能赎回。\n"),
        "deposit/dep-time.md": meta("dep-time", "deposit", "整存整取定期存款, 定期") + (
            "# 整存整取定期存款\n\n## 提前支取\n\n- 定期存款可以部分提前支取1次，起存金额50元。\n"),
    }


@pytest.fixture(scope="module")
def said(tmp_path_factory, kbtest):
    return kbtest.figure_reader(tmp_path_factory.mktemp("products"), _files(kbtest.front_matter), "星光权益理财多久能赎回")


def test_a_name_inside_a_longer_word_names_no_product(said):
    assert said("星光权益理财每笔申购的份额要持有满九十天才能赎回") == [("wrong_figure", "90天")]
    assert said("星光权益理财每笔申购的份额要持有满一百八十天才能赎回") == [("figure_right", "180天")]
