"""Markdown structure, read one way for ingest, scripts and the pages."""

from kb.markdown import heading, numbered_steps, sections


def test_a_heading_gives_its_level_and_text_without_closing_hashes():
    assert heading("## 二、年费减免 ##") == (2, "二、年费减免")
    assert heading("#没有空格") is None and heading("正文") is None


def test_sections_keep_the_trail_of_headings_above_them():
    body = "前言\n# 标题\n## 一\n甲\n### 细则\n乙\n## 二\n丙"
    found = sections(body)
    assert [(tuple(h for _, h in trail), text) for trail, text in found] == [
        ((), "前言"), (("标题",), ""), (("标题", "一"), "甲"), (("标题", "一", "细则"), "乙"), (("标题", "二"), "丙")]


def test_a_hash_line_in_fenced_code_is_text():
    [(trail, text)] = sections("```\n# 不是标题\n```")
    assert trail == () and "# 不是标题" in text


def test_numbered_steps_in_order():
    assert numbered_steps("说明\n1. 安抚\n2、核实\n3）登记") == ["安抚", "核实", "登记"]
