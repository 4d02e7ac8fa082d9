"""kb.lexicon: synonym rewriting, Cantonese, stopwords, key terms and pinyin tokens."""

import pytest

from kb.lexicon import Analyzer, Rewriter, load_synonym_groups
from kb.speller import Speller


@pytest.fixture(scope="module")
def analyzer():
    return Analyzer(load_synonym_groups())


def test_packaged_groups_are_normalized_with_canonical_form_first():
    groups = load_synonym_groups()
    withdraw = next(g for g in groups if "提现" in g)
    assert withdraw[0] == "取现"
    assert "cash advance" in withdraw
    assert all(term == term.lower() for group in groups for term in group)


def test_editor_file_adds_groups_normalized(tmp_path):
    extra = tmp_path / "syn.yaml"
    extra.write_text("groups:\n  - [金卡, 黃金卡, GOLD CARD]\n  - []\n", encoding="utf-8")
    groups = load_synonym_groups(extra)
    assert groups[-1] == ["金卡", "黄金卡", "gold card"]  # traditional → simplified, lower case
    assert len(groups) == len(load_synonym_groups()) + 1  # the empty group is dropped
    assert Analyzer(groups).canonicalize("黃金卡年費") == "金卡年费"


def test_empty_editor_file_adds_nothing(tmp_path):
    extra = tmp_path / "empty.yaml"
    extra.write_text("", encoding="utf-8")
    assert load_synonym_groups(extra) == load_synonym_groups()


@pytest.mark.parametrize("text, expected", [
    ("信用卡提现手续费", "信用卡取现手续费"),
    ("预借现金", "取现"),
    ("提現", "取现"),                       # traditional, then synonym
    ("ATM Cash Advance", "atm 取现"),
    ("我的信用卡丢了", "我的信用卡丢失"),
    ("国外汇钱进来收手续费吗", "境外汇入收手续费吗"),  # the direction, not 跨境汇款 alone
])
def test_synonyms_rewrite_to_the_canonical_form(analyzer, text, expected):
    assert analyzer.canonicalize(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("app", "手机银行"),
    ("APP转账", "手机银行转账"),       # a CJK neighbour is a word boundary
    ("cd利率", "大额存单利率"),
    ("happy", "happy"),                 # 'app' inside a word is not rewritten
    ("apps", "apps"),
    ("app2", "app2"),
    ("cashadvance", "cashadvance"),
    ("limited", "limited"),
    ("abcd", "abcd"),                   # 'cd' inside a word
])
def test_ascii_variants_only_at_word_boundaries(analyzer, text, expected):
    assert analyzer.canonicalize(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("幾多", "多少"),
    ("年費幾多", "年费多少"),
    ("点样挂失", "怎么挂失"),
    ("系咪要年费", "是不是要年费"),
    ("唔见咗张卡", "丢失卡"),
])
def test_cantonese_is_rewritten_to_mandarin(analyzer, text, expected):
    assert analyzer.canonicalize(text) == expected


def test_canonical_form_is_a_fixed_point(analyzer):
    once = analyzer.canonicalize("幾多錢")
    assert analyzer.canonicalize(once) == once


def test_group_without_variants_rewrites_nothing():
    assert Analyzer([["年费"]]).canonicalize("年费 Annual Fee") == "年费 annual fee"
    assert Analyzer([]).canonicalize("ＡＢ年費") == "ab年费"


@pytest.mark.parametrize("question, expected", [
    ("信用卡年费怎么收", ["信用卡", "年费"]),      # 怎么收 = stopword 怎么 + one character
    ("年费点收", ["年费"]),                         # Cantonese 点收 → 怎么收, then dropped
    ("请问年费是多少", ["年费"]),
    ("幾多錢", []),
    ("刷卡6次免年费", ["6次", "刷卡", "年费减免"]),  # a number keeps its measure word
    ("信用卡年费，信用卡年费？", ["信用卡", "年费"]),  # de-duplicated, punctuation dropped
    ("提现手续费", ["取现手续费"]),  # the glossary's compound term, whole
    ("存80万能赔多少", ["80万"]),  # measures.yaml term_measures: 80万, not 80 and 万能
    ("2.5万元 3 天到账", ["2.5万元", "3天", "到账"]),  # spaced_measures: "3 天" is 3天
])
def test_key_terms(analyzer, question, expected):
    assert analyzer.key_terms(question) == expected


def test_stopwords_include_canonical_forms(analyzer):
    assert {"怎么", "多少", "请问", "的"} <= analyzer.stopwords
    assert "年费" not in analyzer.stopwords


def test_words_drop_stopwords_and_punctuation(analyzer):
    words = analyzer.words("请问，我的信用卡年费是多少？")
    assert "信用卡" in words and "年费" in words
    assert not {"请问", "我", "的", "是", "多少", "，", "?", "？"} & set(words)


def test_user_words_are_kept_whole():
    plain = Analyzer([])
    custom = Analyzer([], user_words=["金卡尊享"])
    assert "金卡尊享" not in plain.words("金卡尊享服务")
    assert "金卡尊享" in custom.words("金卡尊享服务")


def test_a_product_name_with_a_figure_stays_one_key_term():
    named = Analyzer([], user_words=["稳禾90天"])
    assert "稳禾90天" in named.key_terms("刚买完稳禾90天能退吗")
    assert "90天" in named.key_terms("理财90天能退吗")  # a figure outside the name is its own term
    grown = named.with_words(["稳禾180天"])
    assert "稳禾180天" in grown.key_terms("稳禾180天能退吗")


def test_tokens_hold_words_char_bigrams_and_pinyin_bigrams(analyzer):
    assert analyzer.tokens("年费") == ["年费", "#年费", "~nianfei"]


def test_pinyin_bigrams_let_a_homophone_typo_meet_the_right_word(analyzer):
    typo, right = set(analyzer.tokens("年废")), set(analyzer.tokens("年费"))
    assert "年费" not in typo and "#年费" not in typo  # no word or character match...
    assert typo & right == {"~nianfei"}                 # ...but the pinyin bigram is shared


def test_pinyin_of_unrelated_words_is_not_shared(analyzer):
    assert not set(analyzer.tokens("年费")) & set(analyzer.tokens("利率"))


def test_pinyin_text(analyzer):
    assert analyzer.pinyin_text("年費") == " nian fei "


def test_rewriter_takes_the_longest_variant_and_english_only_as_whole_words():
    rewriter = Rewriter({"预借现金": "取现", "现金": "现金", "card": "卡", "annual fee": "年费"})
    assert rewriter.sub("预借现金手续费") == "取现手续费"
    assert rewriter.sub("annual fee of the card") == "年费 of the 卡"
    assert rewriter.sub("discard") == "discard"


def test_speller_puts_a_product_name_right_first():
    speller = Speller(words=["理财"], known=lambda word: word in {"和", "稳和"}, names=["稳禾宝"])
    assert speller.correct("稳和宝风险等级") == "稳禾宝风险等级"


def test_a_grade_keeps_its_letter_and_an_account_tier_is_one_term(analyzer):
    assert analyzer.key_terms("C2的客户能买R4的产品吗") == ["c2", "r4", "产品"]
    assert analyzer.key_terms("二类户每天限额") == ["ii类账户", "每日限额"]


def test_speller_leaves_an_echo_question_alone():
    speller = Speller(words=["不收", "保险"], known=lambda word: word in {"不", "保护"}, names=[])
    assert speller.correct("受不受保险保护") == "受不受保险保护"  # asks whether, no slip for 受不收


def test_a_card_tier_inside_another_is_no_word_of_it(analyzer):
    words = analyzer.words("白金卡年费")
    assert "白金卡" in words and "金卡" not in words  # 金卡 asked must not match the 白金卡 row


def test_a_question_also_looks_for_the_broader_names_of_its_words(analyzer):
    weights = analyzer.weighted_tokens("日元消费")
    assert weights["日元"] == 1.0 and 0 < weights["外币"] < 1.0  # a row on 外币 speaks of 日元


def test_a_product_name_added_later_is_a_naming_word_from_then_on():
    """随心取 reads as verbs until a published document names a product so; the tagging
    remembered for it before must not outlive the new word."""
    analyzer = Analyzer([])
    assert not analyzer.is_naming_word("随心取")
    assert analyzer.with_words(["随心取"]).is_naming_word("随心取")


def test_a_grown_analyzer_leaves_the_one_an_older_index_reads_as_it_was():
    """A publish grows the index's analyzer by the new product names; questions still reading
    the old index tokenize as before (each snapshot owns its analyzer)."""
    older = Analyzer([])
    older.load()
    before = older.words("随心取年费多少")
    grown = older.with_words(["随心取"])
    assert "随心取" in grown.words("随心取年费多少")
    assert older.words("随心取年费多少") == before and "随心取" not in before
    assert not older.is_naming_word("随心取") and older.user_words == []


def test_a_dictionary_word_is_a_slip_only_for_a_word_sounding_the_same_to_the_tone():
    """借到 (jiè dào) is a word, however rare, and no slip for 接到 (jiē dào); 年废, which no
    dictionary lists, is one for 年费 whatever its tones."""
    listed = {"借到"}.__contains__
    speller = Speller(words=["接到", "年费", "完整"], listed=listed)
    assert speller.correct("抵押借款借到几成") == "抵押借款借到几成"
    assert speller.correct("年废多少") == "年费多少"
    assert Speller(words=["接到"]).correct("借到几成") == "接到几成"  # control: what it guards against


def test_the_unit_of_a_figure_is_no_slip():
    speller = Speller(words=["完整"])
    assert speller.correct("刚好10万整柜面") == "刚好10万整柜面"
    assert speller.correct("刚好万整") == "刚好完整"  # control: no figure before it


def test_an_everyday_noun_sounding_to_the_tone_like_a_word_written_is_its_wrong_candidate():
    """上线 and 首富 are words, but no document writes them; 上限 (a variant of 最高) and 首付 sound
    the same, tones and all. 一句 sounds like 依据 but names nothing, and 上线 stays where the
    knowledge base writes no such word."""
    everyday = {"上线", "首富", "一句"}
    speller = Speller(words=["最高", "首付", "依据"], known=everyday.__contains__,
                      naming={"上线", "首富"}.__contains__, variants={"上限": "最高", "最高": "最高"})
    assert speller.correct("每月积分上线多少") == "每月积分上限多少"
    assert speller.correct("首套房首富最低几成") == "首套房首付最低几成"
    assert speller.correct("第一句怎么说") == "第一句怎么说"
    assert Speller(words=["首付"], known=everyday.__contains__,
                   naming=everyday.__contains__).correct("每月积分上线多少") == "每月积分上线多少"


def test_a_spelled_question_is_canonical_again(analyzer):
    speller = Speller(words=["最高"], known={"上线"}.__contains__,
                      naming={"上线"}.__contains__, variants=analyzer.variants)
    assert analyzer.spell("每月积分上线多少", speller) == analyzer.canonicalize("每月积分上限多少")
    assert "最高" in analyzer.spell("每月积分上线多少", speller)
    assert analyzer.spell("每月积分上线多少", None) == "每月积分上线多少"


def test_a_grown_speller_hears_the_new_words_too():
    """After a publish the speller grows; a tone index built before must learn the new words."""
    speller = Speller(words=["最高"], known={"首富"}.__contains__, naming={"首富"}.__contains__)
    speller.load()
    grown = speller.grown(["首付"])
    assert grown.correct("首富几成") == "首付几成"
    assert speller.correct("首富几成") == "首富几成"  # the old one is left as it was
