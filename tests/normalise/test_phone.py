"""Phone options: region, mobile_expected, allowed_countries; messages say why."""
from __future__ import annotations

import pytest

from alphaimport.normalise import phone
from alphaimport.normalise.base import Invalid, Normalised


def codes(result: Normalised) -> list[str]:
    return [code for code, _ in result.warnings]


def test_region_decides_numbers_without_a_country_code() -> None:
    assert phone.make(region="NL")("0612345678").value == "31612345678"
    assert phone.make(region="BE")("0470 12 34 56").value == "32470123456"
    assert phone.make(region="be")("0032 470 12 34 56").value == "32470123456"
    with pytest.raises(Invalid):
        phone.make(region="BE")("0612345678")  # no Belgian number


def test_an_unknown_region_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown phone region"):
        phone.make(region="XX")


def test_e164_digits_win_over_a_dropped_leading_zero() -> None:
    assert phone.make()("31612345678") == Normalised("31612345678")
    restored = phone.make()("612345678")
    assert restored.value == "31612345678"
    assert codes(restored) == ["phone-leading-zero-restored"]
    assert "0612345678" in restored.warnings[0][1]


def test_mobile_expected_warns_for_landlines_only() -> None:
    sms = phone.make(mobile_expected=True)
    assert sms("0612345678") == Normalised("31612345678")
    landline = sms("010-7989525")
    assert landline.value == "31107989525"
    assert codes(landline) == ["phone-not-mobile"]
    assert phone.make()("010-7989525").warnings == ()


def test_allowed_countries() -> None:
    benelux = phone.make(allowed_countries={"nl", "BE", "LU"})
    assert benelux("+32 470 12 34 56").value == "32470123456"
    with pytest.raises(Invalid) as caught:
        benelux("+49 30 123456")
    assert caught.value.code == "phone-country-not-allowed"
    assert "DE" in caught.value.message and "BE, LU, NL" in caught.value.message


@pytest.mark.parametrize(("raw", "why"), [
    ("06-CALLME", "letters"),
    ("0612345678 x123", "extension"),
    ("061", "too short"),
    ("0612345", "its 6 digits after +31 are no valid number in NL"),
    ("+999 12345678", "country code"),
    ("+", "no digits"),
    ("06#12345678", "characters other than"),
])
def test_invalid_numbers_say_why(raw: str, why: str) -> None:
    with pytest.raises(Invalid) as caught:
        phone.make()(raw)
    assert caught.value.code == "invalid-phone"
    assert why in caught.value.message


def test_the_core_is_a_plain_function() -> None:
    """normalise_number is the per-value core a vectorised fast path can fall back to."""
    assert phone.normalise_number("06 12345678", "NL", False, None) == Normalised("31612345678")
