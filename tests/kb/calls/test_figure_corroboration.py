"""A figure whose words match another matter's in the utterance's evidence (取现金额的3% against a
points rule's 订单金额的50%) is right when a document found for its own sentence states it about
the same thing at least as closely; another product's document (a time deposit's 仅限1次, for a
certificate) does not make it right."""

import pytest

pytestmark = pytest.mark.model


def _files(meta) -> dict[str, str]:
    return {
        "credit_card/cc-star.md": meta("cc-star", "credit_card", "星光信用卡") + (
            "# 星光信用卡产品说明\n\n## 取现\n\n| 项目 | 标准 |\n|---|---|\n"
            "| 境外取现手续费 | 按取现金额的3%收取，每笔最低30元 |\n| 取现利息 | 自记账日起按日利率万分之五计息 |\n"),
        "credit_card/cc-points.md": meta("cc-points", "credit_card", "星光积分") + (
            "# 星光信用卡积分规则\n\n## 积分累积\n\n- 取现、还款、缴税不累积积分。\n\n"
            "## 积分兑换\n\n- 积分抵现：每400积分抵扣1元，单笔最高抵扣订单金额的50%。\n"
            "- 积分兑换礼品以积分商城展示为准，积分抵现在商城下单时使用。\n"),
    }


@pytest.fixture(scope="module")
def said(tmp_path_factory, kbtest):
    return kbtest.figure_reader(tmp_path_factory.mktemp("corroboration"), _files(kbtest.front_matter),
                                "积分抵现怎么用")


def test_a_figure_is_read_against_the_documents_of_its_own_sentence(said):
    line = "境外取现手续费是取现金额的百分之三。取现不累积积分，积分抵现在积分商城下单时用，积分兑换礼品也在商城。"
    assert ("wrong_figure", "3%") not in said(line)
    assert ("wrong_figure", "5%") in said(line.replace("百分之三", "百分之五"))
