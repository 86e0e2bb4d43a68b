"""The column-wise phone path gives exactly what normalise_number gives, value by value.

Proof by comparison: a seeded realistic set of 200,000 values (every notation; NL, BE, DE, UK, US and
random countries; invalid numbers, letters, extensions, odd white space) and a hypothesis property over
phone-like strings, under several option sets. Zero differences in value, warnings, code and message.
"""
from __future__ import annotations

import functools
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
import phonenumbers
from phonenumbers import PhoneNumberType
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from alphaimport.normalise import phone, phone_fast
from alphaimport.normalise import batch

COUNTRY_CODES = sorted(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
TYPES = [PhoneNumberType.MOBILE] * 4 + [PhoneNumberType.FIXED_LINE] * 4 + [
    PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE, PhoneNumberType.VOIP, PhoneNumberType.PAGER,
    PhoneNumberType.UAN, PhoneNumberType.SHARED_COST, PhoneNumberType.PERSONAL_NUMBER]
SEPARATORS = [" ", "-", ".", "/", " - ", "  ", "\u00a0", "\u2013"]
JUNK = ["06-CALLME", "n.v.t.", "onbekend", "-", "0", "", "  ", "+", "00", "tel: 0612345678", "0612345678 x12",
        "010-1234567 tst. 12", "+31 6 1234 5678 ext 2", "06#12345678", "０６１２３４５６７８", "\u0660\u0666",
        "06 1234 567a", "+31 (0) 6-1234 5678", "(06) 12345678", "+31(0)6/12.34.56.78", "06--12345678", "0612345678#"]


def _digits(r: random.Random, count: int) -> str:
    return "".join(r.choice("0123456789") for _ in range(count))


def _spaced(r: random.Random, digits: str) -> str:
    if r.random() < 0.4:
        return digits
    groups, at = [], 0
    while at < len(digits):
        size = r.randint(1, 4)
        groups.append(digits[at:at + size])
        at += size
    return r.choices(SEPARATORS, [20, 20, 5, 3, 3, 3, 1, 1])[0].join(groups)


@functools.lru_cache(maxsize=None)
def _example(region: str, kind: int) -> tuple[str, str, str] | None:
    """Return (country code, national prefix, national significant number) of the region's example number."""
    example = phonenumbers.example_number_for_type(region, kind) or phonenumbers.example_number(region)
    if example is None:
        return None
    prefix = phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix or ""
    return str(example.country_code), prefix, phonenumbers.national_significant_number(example)


def _number(r: random.Random) -> tuple[str, str, str]:
    """Return (country code, national prefix, national significant number) of a mostly valid number."""
    region = r.choice(r.choices([["NL"], ["BE", "DE", "GB", "US", "FR"], REGIONS], [55, 35, 10])[0])
    example = _example(region, r.choice(TYPES))
    if example is None:
        return r.choice(COUNTRY_CODES), "0", _digits(r, r.randint(4, 12))
    code, prefix, nsn = example
    keep = max(1, len(nsn) - r.randint(0, 6))  # the example's leading digits, random digits after them
    nsn = nsn[:keep] + _digits(r, len(nsn) - keep)
    if r.random() < 0.06:  # a digit short or too many
        nsn = nsn[:-1] if r.random() < 0.5 else nsn + r.choice("0123456789")
    return code, prefix, nsn


def realistic(count: int, seed: int) -> list[str]:
    """Return ``count`` phone-like values as ERP exports hold them (seeded): mostly valid, about a fifth not."""
    r = random.Random(seed)
    values = []
    for _ in range(count):
        code, trunk, nsn = _number(r)
        value = r.choices([
            lambda: trunk + _spaced(r, nsn),  # 0612345678, 06-12 34 56 78
            lambda: f"+{code} {_spaced(r, nsn)}",  # +31 6 1234 5678
            lambda: f"00{code}{_spaced(r, nsn)}",  # 0031612345678
            lambda: code + nsn,  # 31612345678 (E.164 digits as the guide writes them)
            lambda: nsn,  # 612345678 (a spreadsheet dropped the 0)
            lambda: f"+{code} (0){_spaced(r, nsn)}",  # +31 (0)6 12345678
            lambda: f"({trunk}{nsn[:2]}) {_spaced(r, nsn[2:])}",  # (010) 7989525
            lambda: f"+{code}{nsn}",
            lambda: r.choice(JUNK),
            lambda: f"0{code}{nsn}" if r.random() < 0.5 else f"+0{code}{nsn}",
            lambda: "+" + _spaced(r, _digits(r, r.randint(1, 16))),
            lambda: f"011{code}{nsn}" if r.random() < 0.5 else f"00{code} 0{nsn}",
            lambda: f"{trunk}{nsn} {r.choice(['x', 'ext.', 'tst', '#'])}{_digits(r, 3)}",  # an extension
        ], [30, 20, 8, 6, 5, 5, 5, 6, 3, 2, 2, 2, 2])[0]()
        if r.random() < 0.05:
            value = r.choice([" ", "\t", "\u00a0", "  "]) + value + r.choice(["", " ", "\u00a0", "\n"])
        values.append(value)
    return values


OPTIONS = {
    "NL": ("NL", False, None),
    "NL-sms": ("NL", True, None),
    "NL-sms-benelux-de": ("NL", True, frozenset({"NL", "BE", "LU", "DE"})),
    "BE": ("BE", False, None),
    "DE-sms": ("DE", True, None),
    "GB": ("GB", False, frozenset({"GB", "JE", "GG", "IM"})),
    "US-sms": ("US", True, None),
}


def differences(values: list[str], region: str, mobile: bool, allowed: frozenset[str] | None) -> list[tuple]:
    return batch.differences(values, phone_fast.make(region, mobile, allowed),
                             phone.make(region, mobile, allowed))


def test_a_realistic_set_of_200000_values_has_no_difference() -> None:
    values = realistic(200_000, seed=20261122)
    assert differences(values, "NL", True, None) == []
    covered = phone_fast.covered(np.array(values, dtype=object), "NL", True, None)
    assert covered.mean() > 0.5  # the fast path decides most of them itself: the comparison is not vacuous


@pytest.mark.parametrize("name", [name for name in OPTIONS if name != "NL-sms"])
def test_every_option_set_has_no_difference(name: str) -> None:
    values = realistic(4_000, seed=len(name))
    assert differences(values, *OPTIONS[name]) == []


_PIECES = st.sampled_from([" ", "-", ".", "/", "(", ")", "(0)", "", "  ", "\u00a0"])


@st.composite
def phone_like(draw: st.DrawFn) -> str:
    """A phone-like string: an optional +, 00 or 0, a real or random country code, digit groups, separators."""
    start = draw(st.sampled_from(["", "+", "00", "0", "+0", "011", "(0)", "+ ", "0 0"]))
    code = draw(st.one_of(st.sampled_from(COUNTRY_CODES), st.integers(0, 999).map(str), st.just("")))
    groups = draw(st.lists(st.text("0123456789", min_size=1, max_size=5), min_size=0, max_size=6))
    text = start + code
    for group in groups:
        text += draw(_PIECES) + group
    return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " ", "x1", "a", "\n"]))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(phone_like(), min_size=1, max_size=40), st.sampled_from(sorted(OPTIONS)))
def test_phone_like_strings_have_no_difference(values: list[str], name: str) -> None:
    assert differences(values, *OPTIONS[name]) == []


@pytest.mark.parametrize("raw", [
    "06-12345678", "0612345678", "+31 6 1234 5678", "0031612345678", "31612345678", "612345678",
    "+31 (0)6 12345678", "06 12 34 56 78", "06.12345678", "010-7989525", "(010) 7989525", " 0612345678 ",
    "+32 470 12 34 56", "0032470123456", "+49 151 12345678", "+44 20 7946 0958", "+1 212 555 0123",
])
def test_the_common_notations_take_the_fast_path(raw: str) -> None:
    assert phone_fast.covered(np.array([raw], dtype=object), "NL", True, None).all()


@pytest.mark.parametrize("raw", [
    "06-CALLME", "0612345678 x12", "+999 12345678", "0", "+31 6", "0089072070", "+0612345678", "+800 1234 5678", "",
    "０６１２３４５６７８", "+31 6 1234 5678\u00a0a",
])
def test_unusual_and_invalid_values_fall_back(raw: str) -> None:
    assert not phone_fast.covered(np.array([raw], dtype=object), "NL", False, None).any()


@pytest.mark.parametrize(("raw", "why"), [
    ("06-1234567", "its 8 digits after +31 are no valid number in NL"),
    ("+31 6 328842972", "its 10 digits after +31 are no valid number in NL"),
    (" 0016674746 ", "its 7 digits after +1 are no valid number in US"),  # via the international prefix
    ("1234567", "it is too short for a number in US (+1)"),  # bare digits: both readings fail, the first is told
    ("0612345678901234", "it is too long for a number in NL (+31)"),
    ("+44 20 7946 095", "its 9 digits after +44 are no valid number in GB"),
])
def test_numbers_that_parse_but_are_no_valid_number_are_refused_column_wise(raw: str, why: str) -> None:
    values = np.array([raw], dtype=object)
    assert phone_fast.covered(values, "NL", True, None).all()
    message = f"'{raw.strip()}' is not a valid phone number: {why}."
    assert phone_fast.normalise_numbers(values, "NL", True).errors == {0: ("invalid-phone", message)}
    assert batch.same(batch.outcome(phone.make("NL", True), raw), phone.Invalid("invalid-phone", message))


def test_why_not_valid_reads_only_the_country_code_and_the_length() -> None:
    r = random.Random(5)
    checked = 0
    for code in COUNTRY_CODES:
        for size in range(2, 18):
            try:
                number = phonenumbers.parse(f"+{code}{_digits(r, size)}")
            except phonenumbers.NumberParseException:
                continue
            if not phonenumbers.is_valid_number(number):
                digits = len(phonenumbers.national_significant_number(number))
                assert phone.why_not_valid(number.country_code, digits) == phone._why(number)
                checked += 1
    assert checked > 2_000


def test_make_takes_the_options_of_phone_make() -> None:
    batch = phone_fast.make(region="be", allowed_countries={"be"})(np.array(["0470 12 34 56", "+31612345678"]))
    assert batch.outcomes()[0].value == "32470123456"
    assert batch.errors[1][0] == "phone-country-not-allowed"
    with pytest.raises(ValueError, match="unknown phone region"):
        phone_fast.make(region="XX")


def test_the_stage_gives_what_it_gave_value_by_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stage with the fast paths: the same frame and issues table as with per-value normalisers only."""
    import pandas as pd

    from alphaimport import normalise as stage
    from alphaimport.normalise import batch
    from .test_email_fast import realistic as emails

    source = pd.DataFrame({"CONTACT_PHONENUMBER_1": realistic(5_000, seed=1), "CONTRACT_CONTACT_PHONENUMBER":
                           realistic(5_000, seed=2), "CONTACT_EMAIL_1": emails(5_000, seed=3)}, dtype="str")
    options = stage.Options(mobile_expected=True, allowed_countries=frozenset({"NL", "BE"}))
    fast = stage.normalise(source, options)
    monkeypatch.setattr(stage, "batch_normaliser",
                        lambda spec, opts: functools.partial(batch.per_value, fn=stage.normaliser(spec, opts)))
    slow = stage.normalise(source, options)
    pd.testing.assert_frame_equal(fast[0], slow[0])
    pd.testing.assert_frame_equal(fast[1], slow[1])
    assert set(fast[1]["code"]) >= {"normalised", "invalid-phone", "phone-not-mobile", "phone-leading-zero-restored",
                                     "phone-country-not-allowed", "invalid-email"}
