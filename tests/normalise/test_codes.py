"""int, boolean, gender, country and currency: the accepted words and the refused look-alikes."""
from __future__ import annotations

import pytest

from alphaimport.normalise import boolean, country, currency, gender, integer
from alphaimport.normalise.base import Invalid


@pytest.mark.parametrize(("raw", "clean"), [("0", "0"), ("-0", "0"), ("-007", "-7"), ("+ 3", "3"),
                                            ("9" * 5000, "9" * 5000)])
def test_integer(raw: str, clean: str) -> None:
    assert integer.make()(raw).value == clean


@pytest.mark.parametrize("raw", ["3.0", "3,0", "1e3", "٣", "3 4", "--3"])
def test_integer_refused(raw: str) -> None:
    with pytest.raises(Invalid):
        integer.make()(raw)


def test_boolean_words_any_case() -> None:
    for word in boolean.TRUE:
        assert boolean.make()(word.upper()).value == "1"
    for word in boolean.FALSE:
        assert boolean.make()(word.title()).value == "0"


@pytest.mark.parametrize(("raw", "clean"), [("de heer", "M"), ("De  Heer", "M"), ("MW.", "F"), ("mrs", "F"),
                                            ("anders", "U"), ("x", "U")])
def test_gender(raw: str, clean: str) -> None:
    assert gender.make()(raw).value == clean


@pytest.mark.parametrize("raw", ["mr", "mr.", "0", "2", "dhr./mevr.", "m/v", "mm"])
def test_gender_never_guessed(raw: str) -> None:
    with pytest.raises(Invalid):
        gender.make()(raw)


def test_country_names_shared_by_two_countries_are_left_out() -> None:
    table = country.names()
    assert table["nederland"] == "NL" and table["deu"] == "DE" and table["duitsland"] == "DE"
    assert all(len(code) == 2 and code.isupper() for code in table.values())


@pytest.mark.parametrize(("raw", "clean"), [("Verenigde Staten", "US"), ("germany", "DE"), ("UK", "GB"),
                                            ("Türkiye", "TR"), ("  be  ", "BE")])
def test_country(raw: str, clean: str) -> None:
    assert country.make()(raw).value == clean


@pytest.mark.parametrize("raw", ["£", "XAU", "EURO'S", "Dollar"])
def test_currency_refused(raw: str) -> None:
    with pytest.raises(Invalid):
        currency.make()(raw)
