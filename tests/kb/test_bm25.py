"""kb.bm25 on a tiny corpus whose figures are worked out by hand (k1 = 1.2, b = 0.75)."""

import math

import pytest

from kb.bm25 import BM25

# lengths 2, 3, 1 → average length 2
CORPUS = [["年费", "信用卡"], ["取现", "信用卡", "信用卡"], ["利率"]]


@pytest.fixture
def index():
    return BM25(CORPUS)


def test_idf(index):
    # idf = ln(1 + (N - df + 0.5) / (df + 0.5)), N = 3
    assert index.idf("年费") == pytest.approx(math.log(1 + 2.5 / 1.5))   # df 1: ln(8/3) ≈ 0.981
    assert index.idf("信用卡") == pytest.approx(math.log(1 + 1.5 / 2.5))  # df 2: ln(1.6) ≈ 0.470
    assert index.idf("未知") == pytest.approx(math.log(8))                 # df 0
    assert index.idf("年费") > index.idf("信用卡")  # rarer terms weigh more
    assert index.df == {"年费": 1, "信用卡": 2, "取现": 1, "利率": 1}


def test_term_once_in_an_average_length_row_scores_its_idf(index):
    # row 0 has average length: norm = k1 = 1.2, weight = 1 * 2.2 / (1 + 1.2) = 1
    scores = index.scores(["年费"])
    assert scores[0] == pytest.approx(math.log(8 / 3), rel=1e-5)
    assert scores[1] == 0 and scores[2] == 0


def test_term_frequency_and_length(index):
    scores = index.scores(["信用卡"])
    # row 0: tf 1, length 2: weight 1          → 1 * ln 1.6 ≈ 0.470
    # row 1: tf 2, length 3: norm = 1.2 * (0.25 + 0.75 * 3 / 2) = 1.65,
    #        weight = 2 * 2.2 / (2 + 1.65) ≈ 1.2055 → 1.2055 * ln 1.6 ≈ 0.567
    assert scores[0] == pytest.approx(math.log(1.6), rel=1e-5)
    assert scores[1] == pytest.approx(4.4 / 3.65 * math.log(1.6), rel=1e-5)
    assert scores[2] == 0
    assert scores[1] > scores[0]


def test_ranking_prefers_rows_holding_more_query_terms(index):
    scores = index.scores(["信用卡", "年费", "信用卡"])  # a repeated query term counts once
    assert list(scores.argsort()[::-1]) == [0, 1, 2]
    assert scores[0] == pytest.approx(math.log(8 / 3) + math.log(1.6), rel=1e-5)


def test_shorter_row_wins_at_equal_term_frequency():
    index = BM25([["年费", "a", "b", "c", "d", "e"], ["年费", "a"], ["x"]])
    scores = index.scores(["年费"])
    assert scores[1] > scores[0] > 0


def test_unknown_terms_score_nothing(index):
    assert index.scores(["未知", "词"]).tolist() == [0.0, 0.0, 0.0]
    assert index.scores([]).tolist() == [0.0, 0.0, 0.0]


def test_max_score_sums_idf_of_known_terms(index):
    assert index.max_score(["年费", "信用卡", "年费", "未知"]) == pytest.approx(math.log(8 / 3) + math.log(1.6))
    assert index.max_score(["未知"]) == 1.0


def test_empty_corpus():
    index = BM25([])
    assert index.size == 0
    assert index.scores(["年费"]).tolist() == []


def test_extended_index_scores_as_a_fresh_build_and_leaves_the_old_one_alone(index):
    more = [["年费", "积分"], ["利率", "利率"]]  # average length stays 2, so a fresh build matches
    grown = index.extended(more)
    fresh = BM25(CORPUS + more)
    assert fresh.avg_length == grown.avg_length == 2
    for query in (["年费"], ["利率", "积分"], ["信用卡", "取现"]):
        assert grown.scores(query) == pytest.approx(fresh.scores(query), rel=1e-5)
    assert grown.df == fresh.df and grown.units == fresh.units == 5
    assert index.size == 3 and index.units == 3 and "积分" not in index.df
    assert len(index.scores(["年费"])) == 3


def test_extended_groups_count_a_document_once():
    base = BM25([["星e贷", "额度"]], groups=["loan"])
    grown = base.extended([["星e贷", "利率"], ["年费"]], groups=["loan", "card"])
    assert grown.df["星e贷"] == 1 and grown.units == 2
    assert grown.idf("星e贷") == pytest.approx(math.log(1 + 1.5 / 1.5))
