"""The contract's rules and the core's errors as an editor or agent reads them, in Chinese."""

from kb.errors import Problem
from ui.messages import in_chinese, shown


def test_a_rule_is_worded_in_chinese_under_the_fields_label():
    problem = shown(Problem("a.md", "doc_id", "must match [a-z0-9][a-z0-9-]*"))
    assert (problem.field, problem.code) == ("文档编号", "doc_id")
    assert "[a-z0-9]" not in problem.rule and "小写英文字母" in problem.rule


def test_a_nested_rule_is_worded_inside_its_line():
    assert in_chinese("line 3: invalid YAML: mapping values are not allowed here") == \
        "第 3 行：元数据格式有误：mapping values are not allowed here"


def test_not_found_messages_name_what_was_asked_for():
    assert in_chinese("no document with doc_id 'nope'") == "没有文档编号为“nope”的文档"
    assert in_chinese("no evaluation run 9") == "没有编号为 9 的评测运行"


def test_a_rule_without_chinese_wording_is_shown_as_it_is():
    assert in_chinese("something new") == "something new"
