from kb.retrieval import Hit
from kb.store import ChunkRecord
from kb.units import section_units


def units_of(text: str):
    chunk = ChunkRecord(id="d@v1:h#0", text=text, meta={"doc_key": "d@v1", "section": "常见问题"})
    return section_units(Hit(chunk, 1.0, 1.0, 0.0))


def test_a_question_of_a_faq_is_not_an_answer_but_the_context_of_its_answer():
    units = units_of("**问：店铺刚开3个月能申请吗？**\n答：不能，须开店满6个月。\n\n**问：能提前还吗？**\n答：可以。")
    assert [(u.display, u.asked) for u in units] == [
        ("不能，须开店满6个月。", "问：店铺刚开3个月能申请吗？"), ("可以。", "问：能提前还吗？")]
    assert units[0].quote == "答：不能，须开店满6个月。"  # the quote stays exact


def test_a_question_and_its_answer_on_one_line():
    units = units_of("问：年费多少？答：每年100元。")
    assert [(u.display, u.asked) for u in units] == [("每年100元。", "问：年费多少？")]


def test_table_rows_are_read_with_their_column_names_and_emphasis_is_dropped():
    units = units_of("| 卡种 | 年费 |\n|---|---|\n| **金卡** | 300元/年 |")
    assert [u.display for u in units] == ["金卡，年费：300元/年"]
    assert units[0].quote == "| **金卡** | 300元/年 |"


def test_a_list_item_is_read_with_the_clause_that_introduces_the_list():
    units = units_of("贷款仅限个人消费用途。以下用途禁止：\n\n- 购房或支付购房首付；\n- 炒股。\n\n其他说明。")
    assert [u.display for u in units] == [
        "贷款仅限个人消费用途。", "以下用途禁止：", "以下用途禁止：购房或支付购房首付；", "以下用途禁止：炒股。", "其他说明。"]
    assert units[2].quote == "购房或支付购房首付；"  # the quote stays exact
