"""The parts of listening that read speech alone (the rest needs a knowledge base: tests/assist_api/test_calls.py)."""

import pytest

from kb.calls.listening import asks


@pytest.mark.parametrize("utterance, asking", [
    ("白金卡年费多少钱", True),
    ("能取出来不？", True),
    ("咁之後呢？我使唔使去分行㗎", True),
    ("那利息高不高啊", True),
    ("好的谢谢", False),
    ("喂，你好", False),
    ("行，那就这么着吧。", False),
])
def test_an_utterance_asks_by_its_question_mark_words_or_form(utterance, asking):
    assert asks(utterance) is asking
