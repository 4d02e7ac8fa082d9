"""A figure the agent states as a limit (最多能办三次, 只能办一次) is read against the document's
limit by value: the span the document's limit gives (最多2次 holds 1) does not excuse it. A
comparison row's cell for another product (整存整取 仅限1次) does not make it right. A term in
years is the same term in months (5年 against 36个月)."""

import pytest

pytestmark = pytest.mark.model


def _files(meta) -> dict[str, str]:
    return {
        "deposit/dep-cd.md": meta("dep-cd", "deposit", "星光大额存单, 大额存单") + (
            "# 星光大额存单\n\n## 提前支取\n\n- 大额存单可以部分提前支取，部分提前支取最多办理2次。\n\n"
            "## 存期\n\n- 大额存单的存期最长为36个月。\n\n"
            "## 与定期存款的区别\n\n| 对比项 | 大额存单 | 整存整取定期存款 |\n|---|---|---|\n"
            "| 部分提前支取次数 | 最多2次 | 仅限1次 |\n| 起存金额 | 20万元 | 50元 |\n"),
        "deposit/dep-time.md": meta("dep-time", "deposit", "整存整取定期存款, 整存整取") + (
            "# 整存整取定期存款\n\n## 提前支取\n\n- 整存整取定期存款可以部分提前支取1次，起存金额50元。\n"),
    }


@pytest.fixture(scope="module")
def said(tmp_path_factory, kbtest):
    return kbtest.figure_reader(tmp_path_factory.mktemp("limits"), _files(kbtest.front_matter), "星光大额存单能部分提前支取吗")


def test_a_limit_is_read_by_value(said):
    assert said("大额存单部分提前支取只能办一次") == [("wrong_figure", "1次")]
    assert said("大额存单部分提前支取最多能办三次") == [("wrong_figure", "3次")]
    assert said("大额存单部分提前支取最多能办两次") == [("figure_right", "2次")]


def test_another_products_cell_does_not_make_a_figure_right(said):
    assert said("部分提前支取只能办一次") == [("wrong_figure", "1次")]


def test_a_term_in_years_is_read_against_one_in_months(said):
    assert said("大额存单的存期最长是三年", asked="星光大额存单最长存多久") == [("figure_right", "3年")]
    assert said("大额存单的存期最长是五年", asked="星光大额存单最长存多久") == [("wrong_figure", "5年")]
