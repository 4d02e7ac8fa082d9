"""The phrasing fit: its character grams weigh a sentence as scikit-learn's tf-idf does (so the
fitted coefficients read the same features at run time), short of scaling a short sentence's few
grams up, a bank's documents give allowed sentences
without their tables, headings or quoted forbidden phrases, and a kind carried by words alone is
learnt from the grams where the embedding says nothing."""

from dataclasses import replace

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from evals.fit_phrasing import GRAM_MIN_EXAMPLES, Examples, char_grams, document_sentences, fit, literal_hits, veto_for
from kb.phrasing import PhrasingModel

TEXTS = ["本金保住了", "本金肯定保住", "保住本金没问题", "您的账单已出", "账单分期可以办", "请问还有什么可以帮您"]


def test_grams_weigh_a_sentence_as_scikit_learns_tfidf():
    ours = replace(char_grams(TEXTS, weight=1.0), least_norm=0.0)
    theirs = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=GRAM_MIN_EXAMPLES,
                             sublinear_tf=True).fit(TEXTS)
    assert ours.vocabulary == theirs.vocabulary_
    assert np.allclose(ours.idf, theirs.idf_)
    for text in ("本金本金保住了", "账单可以分期"):
        indexes, values = ours.weighted(text)
        dense = np.zeros(len(ours.idf))
        dense[indexes] = values
        assert np.allclose(dense, theirs.transform([text]).toarray()[0])


def test_a_short_sentences_few_grams_weigh_no_more_than_a_typical_sentences_would():
    grams = char_grams(TEXTS, weight=1.0)
    assert grams.least_norm > 0
    _, short = grams.weighted("本金")
    _, full = grams.weighted("本金肯定保住了没问题")
    assert np.linalg.norm(short) < 1.0 and np.isclose(np.linalg.norm(full), 1.0)


def test_a_document_gives_its_sentences_not_its_tables_headings_or_quoted_phrases(tmp_path):
    (tmp_path / "wealth").mkdir()
    (tmp_path / "wealth" / "a.md").write_text(
        "---\nid: a\n---\n# 产品说明\n- 起购金额为一万元，按一千元递增。\n| 期限 | 利率 |\n|---|---|\n"
        "| 一年 | 1.2% |\n严禁向客户说“保本保息”之类的话。\n短句。\n", encoding="utf-8")
    assert document_sentences(tmp_path, ("保本保息",)) == ["起购金额为一万元，按一千元递增"]


def test_a_kind_said_in_words_the_embedding_misses_is_learnt_from_the_grams():
    labels = ["guaranteed_return"] * 3 + [None] * 3
    flat = Examples(TEXTS, labels, np.zeros((len(TEXTS), 2)))
    kinds = ("guaranteed_return",)
    without, with_grams = fit(flat, kinds, 10.0, 0.0), fit(flat, kinds, 10.0, 10.0)
    said = ["本金保住的", "账单出了"]
    assert np.allclose(without.probabilities(np.zeros((2, 2)), said)[:, 0], 0.5)
    found = with_grams.probabilities(np.zeros((2, 2)), said)[:, 0]
    assert found[0] > 0.8 > 0.2 > found[1]
    assert PhrasingModel.from_json(with_grams.to_json()) == with_grams


def test_the_veto_drops_a_literal_phrase_where_that_is_right_more_often_than_wrong():
    right, wrong = [(0.9, True), (0.6, True), (0.2, True)], [(0.05, False), (0.3, False)]
    assert veto_for(right + wrong) == 0.2
    assert veto_for(right) == 0.0


def test_a_literal_hit_is_read_in_its_clause_as_at_run_time():
    kinds = ("blaming_customer", "inviting_complaint")
    texts = ["是你自己没看清楚，你去投诉吧", "我已经跟你说了，你去投诉吧", "今天天气好"]
    examples = Examples(texts, ["blaming_customer", "inviting_complaint", None], np.zeros((3, 2)))
    model = PhrasingModel(space="", codes=kinds, coef=((8.0, 0.0), (0.0, 8.0)), intercept=(-4.0, -4.0), threshold=0.9)

    def embed(text: str) -> list[float]:
        return [1.0, 0.0] if text == "是你自己没看清楚" else [0.0, 1.0]

    hits = literal_hits({"writer": model}, {"writer": examples}, embed)
    assert sorted((round(p, 2), right) for p, right in hits) == [(0.98, False), (0.98, True), (0.98, True)]
