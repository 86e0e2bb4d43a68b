"""Properties of every normaliser under every option set: only Invalid escapes, and output is a fixpoint."""
from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from alphaimport import issues, registry
from alphaimport.normalise import boolean, cents, country, currency, date, email, gender, integer, phone, text
from alphaimport.normalise.base import Invalid, Normaliser

# name -> (normaliser, the normaliser that reads its output): amounts are always written in cents, so
# the output of an amount read as euros is read back as cents
VARIANTS: dict[str, tuple[Normaliser, Normaliser]] = {
    "text": (text.make(), text.make()),
    "phone": (phone.make(), phone.make()),
    "phone-be": (phone.make(region="BE"), phone.make(region="BE")),
    "phone-us": (phone.make(region="US"), phone.make(region="US")),
    "phone-sms": (phone.make(mobile_expected=True), phone.make(mobile_expected=True)),
    "phone-nl-be": (phone.make(allowed_countries={"NL", "BE"}), phone.make(allowed_countries={"NL", "BE"})),
    "email": (email.make(), email.make()),
    "date": (date.make(), date.make()),
    "date-mdy": (date.make(order="MDY"), date.make(order="MDY")),
    "date-ymd": (date.make(order="YMD"), date.make(order="YMD")),
    "cents": (cents.make(), cents.make()),
    "cents-euros": (cents.make(unit="euros"), cents.make(unit="cents")),
    "int": (integer.make(), integer.make()),
    "boolean": (boolean.make(), boolean.make()),
    "gender": (gender.make(), gender.make()),
    "country": (country.make(), country.make()),
    "currency": (currency.make(), currency.make()),
}
# Warnings that describe a change: gone once the value is normalised. Others (phone-not-mobile) describe
# the value itself and stay.
CHANGE_WARNINGS = {"phone-leading-zero-restored"}

# Arbitrary text (NUL, controls, lone surrogates included) mixed with text shaped like real values, so the
# interesting paths are reached, not only the "not a value" branch.
_PIECES = st.sampled_from([
    "0", "06", "+31", "0031", "31", "6", "12345678", " ", "-", ".", ",", "/", "(0)", "(", ")", "+", "€", "EUR",
    "x", "@", "mailto:", "example.com", "2027", "12", "31", "T", ":", "00", "\u00a0", "\n", "\t", "\x00",
    "\ud800", "ja", "nee", "M", "vrouw", "NL", "Nederland", "eur", "1.234", ",-", "e", "Z", "+01:00",
])
TEXTS = st.one_of(st.text(), st.lists(_PIECES, max_size=8).map("".join),
                  st.text(alphabet="0123456789 +-.,()/€", max_size=20))


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_only_invalid_escapes_and_output_is_a_fixpoint(name: str) -> None:
    normalise, reread = VARIANTS[name]

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(TEXTS)
    @example("")
    @example("\x00")
    @example("\ud800")
    @example("9" * 5000)
    @example("0101234567")
    @example("101234567")
    @example("+32 470 12 34 56")
    @example("€ 1.234,56")
    @example("31-12-2027 10:00")
    @example(" Jan.Jansen@Example.COM ")
    def check(raw: str) -> None:
        try:
            first = normalise(raw)
        except Invalid as exc:
            assert issues.CODES[exc.code].level == issues.ERROR
            assert exc.message
            return
        for code, message in first.warnings:
            assert issues.CODES[code].level == issues.WARNING and message
        pattern = registry.CANONICAL_PATTERNS.get(name.split("-")[0])
        if first.value and pattern:
            assert re.fullmatch(pattern, first.value), first.value
        again = reread(first.value)
        assert again.value == first.value
        assert [code for code, _ in again.warnings] == [
            code for code, _ in first.warnings if code not in CHANGE_WARNINGS]

    check()
