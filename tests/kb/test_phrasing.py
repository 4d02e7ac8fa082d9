"""The model of forbidden phrasing in free wording: a kind is said when one sentence's
probability reaches the threshold; a deposit's exception still holds; a broken file is refused by
name. The embedding here is a stand-in (two directions), so this tier runs without the model."""

from dataclasses import replace

import numpy as np
import pytest

from kb.compliance import DraftChecker
from kb.errors import KBError
from kb.phrasing import PhrasingModel, load_phrasing

GUARANTEE, BLAME = np.eye(2)


def _embed(sentence: str) -> list[float]:
    """Sentences about the principal point one way, about the customer's fault the other."""
    if "本钱" in sentence or "本金" in sentence:
        return list(GUARANTEE)
    return list(BLAME) if "自个儿" in sentence else [0.0, 0.0]


MODEL = PhrasingModel(space="test", codes=("guaranteed_return", "blaming_customer"),
                      coef=((8.0, 0.0), (0.0, 8.0)), intercept=(-4.0, -4.0), threshold=0.9)


def test_a_kind_is_said_by_one_sentence_of_the_utterance():
    assert MODEL.codes_said("大姨您放心吧。本钱指定亏不了，到日子就给您打回来。", _embed) == {"guaranteed_return"}
    assert MODEL.codes_said("那是您自个儿没瞅准就点了确认。", _embed) == {"blaming_customer"}
    assert MODEL.codes_said("您好，请问有什么可以帮您？", _embed) == set()


def test_sentences_too_short_to_say_anything_are_not_embedded():
    assert MODEL.sentences("嗯。好的。这个理财到期就给您打回来。") == ["这个理财到期就给您打回来"]


def test_the_checker_flags_free_wording_unless_the_product_carries_it():
    checker = DraftChecker.load(MODEL, _embed)
    assert [a.code for a in checker.forbidden("这个理财本钱指定亏不了", set())] == ["guaranteed_return"]
    assert checker.forbidden("定期存款本金指定亏不了，有存款保险", {"deposit"}) == []
    assert [a.code for a in DraftChecker.load().forbidden("这个理财稳赚不赔", set())] == ["guaranteed_return"]


def test_a_promise_likened_to_a_deposit_is_the_wealth_products_while_one_is_discussed():
    checker = DraftChecker.load(MODEL, _embed)
    likened = "跟放活期差不多的，本钱指定亏不了"
    assert checker.forbidden(likened, set()) == []
    assert [a.code for a in checker.forbidden(likened, {"wealth"})] == ["guaranteed_return"]
    assert [a.code for a in checker.forbidden(likened, {"wealth", "deposit"})] == ["guaranteed_return"]


def test_a_literal_phrase_is_not_heard_where_the_model_denies_its_kind():
    denied = "说实话，我没办法跟您保证收益，净值会波动的。"
    vetoing = DraftChecker.load(replace(MODEL, veto=0.1), _embed)
    assert vetoing.forbidden(denied, {"wealth"}) == []
    assert [a.code for a in DraftChecker.load(MODEL, _embed).forbidden(denied, {"wealth"})] == ["guaranteed_return"]
    assert [a.code for a in vetoing.forbidden("放心，本钱保证收益都有。", {"wealth"})] == ["guaranteed_return"]


def test_a_sentence_too_short_to_embed_keeps_its_literal_phrase():
    vetoing = DraftChecker.load(replace(MODEL, veto=0.5), _embed)
    assert [a.code for a in vetoing.forbidden("稳赚。", {"wealth"})] == ["guaranteed_return"]


def test_a_phrase_that_is_its_whole_sentence_stands_whatever_the_model_says():
    vetoing = DraftChecker.load(replace(MODEL, veto=0.5), _embed)
    assert [a.code for a in vetoing.forbidden("放心吧。稳赚不赔！", {"wealth"})] == ["guaranteed_return"]
    assert vetoing.forbidden("说稳赚不赔的都不靠谱", {"wealth"}) == []


def test_a_literal_phrase_matches_the_polite_pronoun_too():
    assert [a.code for a in DraftChecker.load().forbidden("是您自己没看清楚", set())] == ["blaming_customer"]
    assert [a.code for a in DraftChecker.load().forbidden("是妳自己冇睇清楚", set())] == ["blaming_customer"]


def test_the_model_reads_back_what_it_wrote(tmp_path):
    path = tmp_path / "phrasing.json"
    path.write_text(MODEL.to_json(), encoding="utf-8")
    assert load_phrasing(path) == MODEL


def test_a_broken_file_is_refused_by_name(tmp_path):
    path = tmp_path / "phrasing.json"
    path.write_text('{"space": "x"}', encoding="utf-8")
    with pytest.raises(KBError, match="phrasing.json: not a fitted phrasing file"):
        load_phrasing(path)


@pytest.mark.model
def test_the_packaged_model_hears_free_wording_and_spares_a_risk_warning(tmp_path):
    from kb.config import get_settings
    from kb.knowledge_base import KnowledgeBase

    checker = KnowledgeBase(get_settings(store=tmp_path / "store")).draft_checker
    assert checker.meant is not None

    def kinds(said: str) -> list[str]:
        return [a.code for a in checker.forbidden(said, set())]

    assert kinds("放心买吧，这款理财到期本钱一分都少不了。") == ["guaranteed_return"]
    assert kinds("那是你自己手滑点错了，怪不得我们。") == ["blaming_customer"]
    assert kinds("这款理财不保本，到期可能亏损本金。") == []
    assert kinds("您好，请问有什么可以帮您？") == []
