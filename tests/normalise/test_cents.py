"""Amounts: units, exact Decimal arithmetic at any size, the parse result the stage uses."""
from __future__ import annotations

from decimal import Decimal

import pytest

from alphaimport.normalise import cents
from alphaimport.normalise.base import Invalid


@pytest.mark.parametrize(("raw", "as_cents", "as_euros"), [
    ("12345", "12345", "1234500"),
    ("123", "123", "12300"),
    ("123,45", "12345", "12345"),  # decimals are euros whatever the unit
    ("1.234,56", "123456", "123456"),
    ("€ 10", "1000", "1000"),  # a euro sign says euros
    ("10,-", "1000", "1000"),
    ("1.234,-", "123400", "123400"),  # the dash stands for the decimals: the dot groups
    ("1.234.567", "1234567", "123456700"),  # grouped whole number: the unit decides
    ("0", "0", "0"),
])
def test_units(raw: str, as_cents: str, as_euros: str) -> None:
    assert cents.make(unit="cents")(raw).value == as_cents
    assert cents.make(unit="euros")(raw).value == as_euros


def test_an_unknown_unit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown amount unit"):
        cents.make(unit="dollars")


def test_parse_tells_euros_from_whole_numbers() -> None:
    assert cents.parse("12345") == cents.Amount(Decimal("12345"), euros=False)
    assert cents.parse("123,45") == cents.Amount(Decimal("123.45"), euros=True)
    assert cents.parse("EUR 10") == cents.Amount(Decimal("10"), euros=True)
    assert cents.parse("  ") is None


def test_no_precision_is_lost_on_huge_amounts() -> None:
    digits = "9" * 60
    assert cents.make()(f"{digits},99").value == digits + "99"
    assert cents.make(unit="euros")(digits).value == digits + "00"


@pytest.mark.parametrize(("raw", "code"), [
    ("1.234", "ambiguous-amount"),
    ("€ 1.234", "ambiguous-amount"),
    ("1234.567", "too-many-decimals"),
    ("- 5", "negative-amount"),
    ("−5", "negative-amount"),  # U+2212 minus
    ("€ -5", "negative-amount"),
    ("10,50,-", "invalid-amount"),
    ("1,234,56", "invalid-amount"),
    ("12 34", "invalid-amount"),
    ("(5", "invalid-amount"),
    ("€ 5 EUR", "invalid-amount"),
])
def test_refused(raw: str, code: str) -> None:
    with pytest.raises(Invalid) as caught:
        cents.make()(raw)
    assert caught.value.code == code


def test_the_ambiguous_message_shows_both_readings_and_the_way_out() -> None:
    with pytest.raises(Invalid) as caught:
        cents.make()("1.234")
    assert "(1234)" in caught.value.message and "(1.234)" in caught.value.message
    assert "1234,00" in caught.value.message
