import pytest

from kb.privacy import mask_personal_data


@pytest.mark.parametrize("text, secret, kind", [
    ("客户身份证11010519491231002X要查额度", "11010519491231002X", "id_number"),
    ("卡号6222021234567890123丢了", "6222021234567890123", "card_number"),
    ("卡号 6222 0212 3456 7890 丢了", "6222 0212 3456 7890", "card_number"),
    ("手机13812345678收不到验证码", "13812345678", "phone_number"),
    ("电话+86 138 1234 5678", "138 1234 5678", "phone_number"),
    ("香港身份證A123456(7)可以開戶嗎", "A123456(7)", "id_number"),
])
def test_personal_numbers_are_starred_but_for_the_last_four(text, secret, kind):
    masked = mask_personal_data(text)
    assert secret not in masked.text
    assert secret[-4:] in masked.text
    assert kind in masked.kinds
    assert secret not in masked.without and secret[-4:] not in masked.without


@pytest.mark.parametrize("text", [
    "信用卡取现手续费怎么收", "贷款50000元分12期利息多少", "2025年1月1日起执行", "额度100000元",
    "大额存单20万起存", "客服热线95588",
])
def test_amounts_dates_and_plain_questions_are_left_alone(text):
    masked = mask_personal_data(text)
    assert masked.text == text and not masked.found
