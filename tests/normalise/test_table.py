"""Real messy values of every field type -> the exact normalised value, or the exact issue code."""
from __future__ import annotations

from typing import NamedTuple

import pytest

from alphaimport import issues
from alphaimport.normalise import boolean, cents, country, currency, date, email, gender, integer, phone, text
from alphaimport.normalise.base import Invalid

NORMALISERS = {
    "text": text.make(), "phone": phone.make(), "email": email.make(), "date": date.make(),
    "cents": cents.make(), "int": integer.make(), "boolean": boolean.make(), "gender": gender.make(),
    "country": country.make(), "currency": currency.make(),
}


class Bad(NamedTuple):
    """An expected Invalid with this code."""

    code: str


class Warned(NamedTuple):
    """An expected value with warnings of these codes."""

    value: str
    codes: tuple[str, ...]


CASES: list[tuple[str, str, str | Bad | Warned]] = [
    # text
    ("text", "Jansen", "Jansen"),
    ("text", "  Jansen  ", "Jansen"),
    ("text", "\u00a0de Vries\u00a0", "de Vries"),
    ("text", "Hoofdstraat 1\r\nAmsterdam", "Hoofdstraat 1 Amsterdam"),
    ("text", "regel 1 \n\n regel 2", "regel 1 regel 2"),
    ("text", "kolom\tkolom", "kolom kolom"),
    ("text", "van  der  Berg", "van  der  Berg"),
    ("text", "Müller-Lüdenscheidt", "Müller-Lüdenscheidt"),
    ("text", "=1+1", "=1+1"),
    ("text", "00123", "00123"),
    ("text", "   ", ""),
    ("text", "Jan\x00sen", Bad("invalid-text")),
    ("text", "bel\x07l", Bad("invalid-text")),
    ("text", "esc\x1b[31m", Bad("invalid-text")),
    ("text", "c1\x9bcontrol", Bad("invalid-text")),
    ("text", "half\ud83d", Bad("invalid-text")),
    # phone
    ("phone", "06-12345678", "31612345678"),
    ("phone", "0612345678", "31612345678"),
    ("phone", "06 1234 5678", "31612345678"),
    ("phone", "06.12.34.56.78", "31612345678"),
    ("phone", "(06) 12345678", "31612345678"),
    ("phone", "+31 6 12345678", "31612345678"),
    ("phone", "+31 (0)6 1234 5678", "31612345678"),
    ("phone", "0031 6 12345678", "31612345678"),
    ("phone", "0031 (0)6 12345678", "31612345678"),
    ("phone", "31612345678", "31612345678"),
    ("phone", "612345678", Warned("31612345678", ("phone-leading-zero-restored",))),
    ("phone", "+32 470 12 34 56", "32470123456"),
    ("phone", "0032 470 12 34 56", "32470123456"),
    ("phone", "32470123456", "32470123456"),
    ("phone", "010-7989525", "31107989525"),
    ("phone", "31107989525", "31107989525"),
    ("phone", "010/798 95 25", "31107989525"),
    ("phone", "06–12345678", "31612345678"),
    ("phone", "+49 30 123456", "4930123456"),
    ("phone", "+44 (0)20 7946 0958", "442079460958"),
    ("phone", "06-CALLME", Bad("invalid-phone")),
    ("phone", "0612345678 x123", Bad("invalid-phone")),
    ("phone", "0612345678 ext. 12", Bad("invalid-phone")),
    ("phone", "0612345", Bad("invalid-phone")),
    ("phone", "06123456789", Bad("invalid-phone")),
    ("phone", "+999 12345678", Bad("invalid-phone")),
    ("phone", "++31612345678", Bad("invalid-phone")),
    ("phone", "06/12345678;0101234567", Bad("invalid-phone")),
    ("phone", "onbekend", Bad("invalid-phone")),
    ("phone", "-", Bad("invalid-phone")),
    # email
    ("email", "jan@example.com", "jan@example.com"),
    ("email", " Jan.Jansen@Example.COM ", "Jan.Jansen@example.com"),
    ("email", "mailto:info@bedrijf.nl", "info@bedrijf.nl"),
    ("email", "jan+factuur@gmail.com", "jan+factuur@gmail.com"),
    ("email", "jan@bedrijf", Bad("invalid-email")),
    ("email", "jan@@bedrijf.nl", Bad("invalid-email")),
    ("email", "jan bedrijf.nl", Bad("invalid-email")),
    ("email", "Jan <jan@bedrijf.nl>", Bad("invalid-email")),
    ("email", "jan@bedrijf.nl; piet@bedrijf.nl", Bad("invalid-email")),
    ("email", "jan@bedrijf.nl.", Bad("invalid-email")),
    # date
    ("date", "31-12-2027", "2027-12-31"),
    ("date", "2027-12-31", "2027-12-31"),
    ("date", "31/12/2027", "2027-12-31"),
    ("date", "1-2-2027", "2027-02-01"),
    ("date", "01/02/2027", "2027-02-01"),
    ("date", "31.12.2027", "2027-12-31"),
    ("date", "2027-12-31T10:00:00", "2027-12-31"),
    ("date", "2027-12-31 00:00:00", "2027-12-31"),
    ("date", "2027-12-31T23:59:59.5+01:00", "2027-12-31"),
    ("date", "20271231", "2027-12-31"),
    ("date", "46752", "2027-12-31"),
    ("date", "1", Bad("invalid-date")),  # a short number is no date serial
    ("date", "2027", Bad("invalid-date")),  # a year alone is never 1905-07-19
    ("date", "2028-02-29", "2028-02-29"),
    ("date", "2027-02-30", Bad("invalid-date")),
    ("date", "31-04-2027", Bad("invalid-date")),
    ("date", "29-02-2027", Bad("invalid-date")),
    ("date", "31-12-27", Bad("invalid-date")),
    ("date", "60", Bad("invalid-date")),
    ("date", "0", Bad("invalid-date")),
    ("date", "123456", Bad("invalid-date")),
    ("date", "31 december 2027", Bad("invalid-date")),
    ("date", "2027-12-31T24:00:00", Bad("invalid-date")),
    ("date", "31-12/2027", Bad("invalid-date")),
    # cents
    ("cents", "12345", "12345"),
    ("cents", "123,45", "12345"),
    ("cents", "123.45", "12345"),
    ("cents", "€ 1.234,56", "123456"),
    ("cents", "1,234.56", "123456"),
    ("cents", "1234.5", "123450"),
    ("cents", "12.3", "1230"),
    ("cents", "EUR 10", "1000"),
    ("cents", "10 EUR", "1000"),
    ("cents", "€10,-", "1000"),
    ("cents", "1 234,56", "123456"),
    ("cents", "1.234.567,89", "123456789"),
    ("cents", "0,00", "0"),
    ("cents", "007", "7"),
    ("cents", "1.234", Bad("ambiguous-amount")),
    ("cents", "1,234", Bad("ambiguous-amount")),
    ("cents", "1.999", Bad("ambiguous-amount")),
    ("cents", "1,2345", Bad("too-many-decimals")),
    ("cents", "0,125", Bad("too-many-decimals")),
    ("cents", "-5", Bad("negative-amount")),
    ("cents", "(5,00)", Bad("negative-amount")),
    ("cents", "5-", Bad("negative-amount")),
    ("cents", "1.23.4", Bad("invalid-amount")),
    ("cents", "1e5", Bad("invalid-amount")),
    ("cents", "$ 10", Bad("invalid-amount")),
    ("cents", "n.v.t.", Bad("invalid-amount")),
    # int
    ("int", "3", "3"),
    ("int", " 3 ", "3"),
    ("int", "+3", "3"),
    ("int", "03", "3"),
    ("int", "3.0", Bad("invalid-integer")),
    ("int", "drie", Bad("invalid-integer")),
    ("int", "1.000", Bad("invalid-integer")),
    # boolean
    ("boolean", "1", "1"),
    ("boolean", "Ja", "1"),
    ("boolean", "NEE", "0"),
    ("boolean", "yes", "1"),
    ("boolean", "n", "0"),
    ("boolean", "True", "1"),
    ("boolean", "onwaar", "0"),
    ("boolean", "misschien", Bad("invalid-boolean")),
    ("boolean", "2", Bad("invalid-boolean")),
    # gender
    ("gender", "vrouw", "F"),
    ("gender", "M", "M"),
    ("gender", "man", "M"),
    ("gender", "Dhr.", "M"),
    ("gender", "Mevr.", "F"),
    ("gender", "mw", "F"),
    ("gender", "v", "F"),
    ("gender", "female", "F"),
    ("gender", "onbekend", "U"),
    ("gender", "X", "U"),
    ("gender", "mr", Bad("invalid-gender")),
    ("gender", "1", Bad("invalid-gender")),
    # country
    ("country", "nl", "NL"),
    ("country", "NLD", "NL"),
    ("country", "Nederland", "NL"),
    ("country", "Netherlands", "NL"),
    ("country", "Holland", "NL"),
    ("country", "België", "BE"),
    ("country", "Belgie", "BE"),
    ("country", "Duitsland", "DE"),
    ("country", "Frankrijk", "FR"),
    ("country", "Verenigd Koninkrijk", "GB"),
    ("country", "Spanje", "ES"),
    ("country", "Narnia", Bad("invalid-country")),
    ("country", "EU", Bad("invalid-country")),
    # currency
    ("currency", "eur", "EUR"),
    ("currency", "EUR", "EUR"),
    ("currency", "€", "EUR"),
    ("currency", "usd", "USD"),
    ("currency", "$", Bad("invalid-currency")),
    ("currency", "XXX", Bad("invalid-currency")),
    ("currency", "euro's", Bad("invalid-currency")),
]


def test_the_table_is_large_and_covers_every_type() -> None:
    assert len(CASES) >= 100
    assert {kind for kind, _, _ in CASES} == set(NORMALISERS)


@pytest.mark.parametrize(("kind", "raw", "expected"), CASES, ids=[f"{k}:{r!r}" for k, r, _ in CASES])
def test_value(kind: str, raw: str, expected: str | Bad | Warned) -> None:
    normalise = NORMALISERS[kind]
    if isinstance(expected, Bad):
        with pytest.raises(Invalid) as caught:
            normalise(raw)
        assert caught.value.code == expected.code
        assert issues.CODES[caught.value.code].level == issues.ERROR
        assert caught.value.message.endswith(".")
        return
    result = normalise(raw)
    if isinstance(expected, Warned):
        assert (result.value, tuple(code for code, _ in result.warnings)) == (expected.value, expected.codes)
    else:
        assert (result.value, result.warnings) == (expected, ())
    for code, _ in result.warnings:
        assert issues.CODES[code].level == issues.WARNING


@pytest.mark.parametrize("kind", sorted(NORMALISERS))
def test_empty_is_empty_without_a_finding(kind: str) -> None:
    assert NORMALISERS[kind]("").value == ""
    assert NORMALISERS[kind]("").warnings == ()
