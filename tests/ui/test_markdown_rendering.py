from bs4 import BeautifulSoup

from ui.markdown import render

DOC = """# 年费标准

本卡年费如下。年费可减免。

| 卡种 | 主卡年费 |
|---|---|
| 金卡 | 300元/年 |
| <script>alert(1)</script> | 0元 |

- 首年免年费。
- 刷卡满6次免次年年费。

1. 先共情。
2. 再答复。
"""


def html(text, mark=None):
    return BeautifulSoup(render(text, mark), "html.parser")


def test_blocks_become_headings_paragraphs_tables_and_lists():
    page = html(DOC)
    assert page.select_one(".md-h1").text == "年费标准"
    assert [td.text for td in page.select("tr")[1].select("td")] == ["金卡", "300元/年"]
    assert [li.text for li in page.select("ul li")] == ["首年免年费。", "刷卡满6次免次年年费。"]
    assert [li.text for li in page.select("ol li")] == ["先共情。", "再答复。"]


def test_text_is_escaped_never_trusted_as_html():
    assert not html(DOC).select("script")
    assert "&lt;script&gt;" in str(render(DOC))


def test_the_quote_is_marked_once_in_a_sentence_or_as_a_table_row():
    assert [m.text for m in html(DOC, "年费可减免。").select("mark")] == ["年费可减免。"]
    marked = html(DOC, "| 金卡 | 300元/年 |").select("tr.marked")
    assert len(marked) == 1 and "300元/年" in marked[0].text
    assert not html(DOC, "不在文中").select("mark, tr.marked")
