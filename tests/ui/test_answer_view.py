"""How a response reads in the panel: figures marked, rows as fragments, citations merged,
script steps, a disclosure's title said once, disclosures ordered by what was asked."""

from types import SimpleNamespace

from bs4 import BeautifulSoup

from ui.answer_view import answer_html, merged_citations, ordered_disclosures, quote_text, script_steps, without_title


def parts(html) -> BeautifulSoup:
    return BeautifulSoup(str(html), "html.parser")


def test_each_sentence_is_one_line_with_its_figures_marked():
    html = parts(answer_html("主卡年费300元/年；首年免年费。附属卡刷卡满3次免次年年费。"))
    assert [li.text for li in html.select("ul.answer-parts li")] == [
        "主卡年费300元/年", "首年免年费。", "附属卡刷卡满3次免次年年费。"]
    assert [m.text for m in html.select("mark.figure")] == ["300元", "3次"]


def test_a_table_row_shows_its_key_then_one_fragment_per_column():
    html = parts(answer_html("柜面跨行转账，5万元以下：每笔5元，5万元以上：每笔10元"))
    assert html.select_one(".row-key").text == "柜面跨行转账"
    assert [f.text for f in html.select(".fragment")] == ["5万元以下：每笔5元", "5万元以上：每笔10元"]


def test_markup_in_an_answer_is_escaped():
    assert "<script>" not in str(answer_html("<script>alert(1)</script>年费300元"))


def test_citations_of_one_section_are_merged_with_all_their_quotes():
    cite = lambda section, quote: SimpleNamespace(doc_id="cc-gold", version=1, title="星辰金卡",  # noqa: E731
                                                  section=section, quote=quote)
    merged = merged_citations([cite("年费", "a"), cite("年费", "b"), cite("取现", "c")])
    assert [(m.section, m.quotes) for m in merged] == [("年费", ["a", "b"]), ("取现", ["c"])]


def test_a_script_is_read_as_its_numbered_steps():
    assert script_steps("开场\n1. 先安抚客户\n2）核实身份\n说明") == ["先安抚客户", "核实身份"]
    assert script_steps("没有编号的话术") == []


def test_a_disclosures_repeated_title_is_dropped_once():
    assert without_title("# 风险提示\n\n理财非存款", "风险提示").strip() == "理财非存款"
    assert without_title("# 另一标题\n正文", "风险提示").startswith("# 另一标题")


def test_disclosures_that_share_most_with_the_question_come_first():
    found = [SimpleNamespace(title="跨境交易风险提示"), SimpleNamespace(title="信用卡年费及利息风险提示")]
    ordered = ordered_disclosures(found, "白金卡年费多少", "白金卡年费1000元")
    assert [d.title for d in ordered] == ["信用卡年费及利息风险提示", "跨境交易风险提示"]


def test_a_quoted_table_row_reads_as_its_cells():
    assert quote_text("| 星辰金卡 | 300元/年 | 150元/年 |") == "星辰金卡，300元/年，150元/年"
    assert quote_text("首年免年费。") == "首年免年费。"
