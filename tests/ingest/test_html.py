"""HTML pages: h1–h6 become sections, page chrome is dropped, tables are kept, metadata from a sidecar."""

import pytest

from ingest.chunking import markdown_sections
from ingest.loaders import load, load_html
from ingest.reader import read_file
from kb.errors import DocumentRejected

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>跨境汇款</title>
<script>var secret = "脚本内容";</script><style>.x { color: red }</style></head>
<body>
<header>网站页眉</header>
<nav><a href="/">导航链接</a></nav>
<h1>跨境汇款手续费</h1>
<p>境外汇款按汇款金额的<b>0.1%</b>收取，
   最低50元。</p>
<h2>电报费</h2><p>每笔150元。</p>
<h3>说明</h3><ul><li>港澳地区同样适用</li><li>汇入汇款免费</li></ul>
<table><tr><th>币种</th><th>费率</th></tr><tr><td>美元</td><td>0.1%</td></tr><tr><td>港币</td><td>0.08%</td></tr></table>
<h4>四级</h4><p>四</p><h5>五级</h5><p>五</p><h6>六级</h6><p>六</p>
<aside>相关推荐</aside>
<footer>版权所有 某银行</footer>
<noscript>请启用脚本</noscript>
</body></html>"""

META = "doc_id: fee-remittance\ntitle: 跨境汇款手续费\ncategory: fee_rule\n"


def only_problem(exc_info):
    problems = exc_info.value.problems
    assert len(problems) == 1, problems
    return problems[0]


def test_h1_to_h6_become_headings():
    lines = load_html(PAGE.encode("utf-8"), "a.html").split("\n\n")
    for heading in ("# 跨境汇款手续费", "## 电报费", "### 说明", "#### 四级", "##### 五级", "###### 六级"):
        assert heading in lines


def test_inline_markup_and_white_space_are_flattened():
    body = load_html(PAGE.encode("utf-8"), "a.html")
    assert "境外汇款按汇款金额的0.1%收取， 最低50元。" in body.split("\n\n")
    assert "- 港澳地区同样适用" in body.split("\n\n")


@pytest.mark.parametrize("chrome", ["脚本内容", "color: red", "网站页眉", "导航链接", "版权所有", "相关推荐", "请启用脚本"])
def test_script_style_nav_header_footer_are_dropped(chrome):
    assert chrome not in load_html(PAGE.encode("utf-8"), "a.html")


def test_tables_are_kept_as_rows():
    body = load_html(PAGE.encode("utf-8"), "a.html")
    assert "| 币种 | 费率 |\n|---|---|\n| 美元 | 0.1% |\n| 港币 | 0.08% |" in body


def test_main_element_is_preferred_over_the_rest_of_the_body():
    page = "<html><body><p>侧栏文字</p><main><h2>正文标题</h2><p>正文内容。</p></main></body></html>"
    assert load_html(page.encode("utf-8"), "a.html") == "## 正文标题\n\n正文内容。"


def test_declared_gbk_charset_is_honoured():
    page = '<html><head><meta charset="gbk"></head><body><p>境外汇款按金额收取。</p></body></html>'
    assert load_html(page.encode("gbk"), "a.html") == "境外汇款按金额收取。"


def test_page_without_text_is_rejected():
    with pytest.raises(DocumentRejected) as exc:
        load_html(b"<html><body><script>var a = 1;</script><nav><p>menu</p></nav></body></html>", "e.html")
    problem = only_problem(exc)
    assert (problem.file, problem.field) == ("e.html", "body")
    assert "no text content" in problem.rule


def test_text_in_div_is_not_lost():
    page = "<html><body><p>说明如下。</p><div>电报费每笔150元。</div></body></html>"
    assert "电报费每笔150元。" in load_html(page.encode("utf-8"), "a.html")


@pytest.mark.parametrize("suffix", [".html", ".htm"])
def test_html_with_sidecar(tmp_path, suffix):
    path = tmp_path / f"fee-remittance{suffix}"
    path.write_text(PAGE, encoding="utf-8")
    (tmp_path / "fee-remittance.meta.yaml").write_text(META, encoding="utf-8")
    doc = read_file(path, f"fee/fee-remittance{suffix}")
    assert doc.meta.doc_id == "fee-remittance"
    sections = dict(markdown_sections(doc.body, doc.meta.title))
    # h1 equals the title and is dropped from paths
    assert list(sections)[:3] == ["跨境汇款手续费", "电报费", "电报费 › 说明"]
    assert sections["电报费"] == "每笔150元。"
    assert "| 港币 | 0.08% |" in sections["电报费 › 说明"]


def test_html_without_sidecar_is_rejected(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    with pytest.raises(DocumentRejected) as exc:
        load(path, "page.html")
    assert only_problem(exc).field == "metadata"


@pytest.mark.parametrize("depth", [101, 4_000, 100_000])
def test_a_page_nested_too_deep_is_refused_at_once_with_the_rule(depth):
    """4,000 nested <div> took 40 s to read and 100,000 never ended: the depth is bounded first."""
    import time

    page = ("<html><body>" + "<div>" * depth + "年费300元" + "</div>" * depth + "</body></html>").encode()
    started = time.perf_counter()
    with pytest.raises(DocumentRejected) as refused:
        load_html(page, "deep.html")
    assert time.perf_counter() - started < 2
    problem = refused.value.problems[0]
    assert (problem.file, problem.field) == ("deep.html", "body") and "100 levels" in problem.rule


def test_a_page_nested_as_deep_as_real_layouts_is_read():
    page = ("<html><body>" + "<div>" * 60 + "<p>年费300元</p>" + "</div>" * 60 + "</body></html>").encode()
    assert "年费300元" in load_html(page, "layout.html")
