from kb.contrasts import Contrasts

CONTRASTS = Contrasts([[["境内", "国内"], ["境外", "国外"]], [["普卡"], ["金卡"], ["白金卡"]],
                       [["人民币"], ["美元"], ["欧元"]]])


def test_a_text_about_another_alternative_contradicts_the_question():
    assert CONTRASTS.contradicts("境外atm取现手续费", "国内机场贵宾厅：每年6次")
    assert CONTRASTS.contradicts("欧元还款", "本卡为人民币和美元双币种信用卡")


def test_a_text_naming_the_asked_alternative_or_none_does_not():
    assert not CONTRASTS.contradicts("境外atm取现手续费", "境内1%，境外3%")
    assert not CONTRASTS.contradicts("境外atm取现手续费", "取现额度为信用额度的50%")
    assert not CONTRASTS.contradicts("年费多少", "境内取现按1%收取")  # the question names none


def test_a_word_inside_a_longer_alternative_does_not_count():
    assert CONTRASTS.contradicts("金卡年费", "白金卡，主卡年费：1800元")
    assert not CONTRASTS.contradicts("白金卡年费", "白金卡，主卡年费：1800元")


def test_alternatives_are_known_words():
    assert CONTRASTS.alternative("欧元") and not CONTRASTS.alternative("年费")


def test_the_packaged_groups_load_canonical():
    loaded = Contrasts.load(str.lower)
    assert loaded.contradicts("手机银行转账", "柜面转账：每笔5元")


def test_a_text_naming_a_broader_name_of_the_asked_alternative_does_not():
    contrasts = Contrasts([[["人民币"], ["港币"], ["日元"]]], broader={"日元": ["外币"]})
    assert not contrasts.contradicts("日元消费收费吗", "以港币、人民币以外的外币签账，收取1.5%兑换费")
    assert contrasts.contradicts("日元消费收费吗", "以港币签账免收兑换费")
    assert contrasts.contradicts("日元存单利率", "存单以人民币计价，不发行外币存单")  # excluded, not covered
