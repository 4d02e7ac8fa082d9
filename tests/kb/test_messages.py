"""The core's words to an agent and its language rules come from data, checked on load."""

import pytest

from kb import messages
from kb.errors import KBError


def test_each_message_is_formatted_with_its_fields():
    assert messages.message("suitability_check", title="稳禾", risk_level="R3").startswith("稳禾为R3级产品")
    assert messages.kind_name("card_number") == "银行卡号" and messages.kind_name("other") == "other"


def test_a_message_file_that_names_a_wrong_field_fails_on_load(monkeypatch):
    broken = {**messages.load_yaml("messages.yaml"), "rule_changes": "《{title}》至{last}"}
    monkeypatch.setattr(messages, "load_yaml", lambda name: broken)
    messages._messages.cache_clear()
    try:
        with pytest.raises(KBError, match="rule_changes"):
            messages.message("no_answer")
    finally:
        monkeypatch.undo()
        messages._messages.cache_clear()


def test_a_vocabulary_file_of_the_wrong_shape_fails_on_load_naming_the_key(monkeypatch):
    import kb.vocab as vocab

    monkeypatch.setattr(vocab, "load_yaml", lambda name: {"periods": "天", "measures": {"天": ["天", 1]}})
    with pytest.raises(KBError, match="measures.yaml: periods: must be a list of words"):
        vocab.load_checked("measures.yaml", lists=("periods",), mappings=("measures",))
    monkeypatch.setattr(vocab, "load_yaml", lambda name: {"yes_no": "([吗"})
    with pytest.raises(KBError, match="asking.yaml: yes_no: must be a regular expression"):
        vocab.load_checked("asking.yaml", patterns=("yes_no",))
