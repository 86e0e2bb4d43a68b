"""The column-wise amount path gives exactly what cents.parse / cents.make give, value by value and per column.

Proof by comparison: a seeded realistic set of 200,000 amounts in every notation (and invalid ones), a
hypothesis property over amount-like strings, and the stage's column rule (whole numbers among euros)
with and without the fast path. Zero differences.
"""
from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alphaimport import normalise as stage
from alphaimport.normalise import cents, cents_fast
from alphaimport.normalise.base import Invalid
from alphaimport.normalise import batch


def _grouped(digits: str, mark: str) -> str:
    digits = digits.lstrip("0") or "0"
    groups = []
    while len(digits) > 3:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return mark.join([digits, *groups])


def realistic(count: int, seed: int) -> list[str]:
    """Return ``count`` amount cells as ERP exports hold them (seeded): every notation, some invalid."""
    r = random.Random(seed)
    values = []
    for _ in range(count):
        euros = str(r.choice([0, 1, 5, 12, 85, 100, 999, 1000, 1234, 12345, 999_999, 1_234_567,
                              int(r.lognormvariate(4.5, 2)), 10 ** r.randint(0, 18) + r.randint(0, 999)]))
        if r.random() < 0.05:
            euros = "0" * r.randint(1, 3) + euros
        decimals = f"{r.randint(0, 99):02d}"
        value = r.choices([
            euros + "," + decimals, _grouped(euros, ".") + "," + decimals, euros + "." + decimals,
            _grouped(euros, ",") + "." + decimals, euros + "." + decimals[0], euros, _grouped(euros, ".") + ",-",
            euros + ",-", "€ " + _grouped(euros, ".") + "," + decimals, "€" + euros, "-" + euros + "," + decimals,
            euros + "," + decimals + "5", _grouped(euros, "."), "€  " + euros, "EUR " + euros, euros + " €",
            f"({euros})", "," + decimals, euros + ",", "12 345,00", "€ -5", euros + ",--", "", " ", "n.v.t.",
            "gratis", euros + "," + decimals + "." + decimals, "\u00a0" + euros + "," + decimals, "1٬234",
        ], [20, 20, 8, 6, 4, 12, 4, 3, 5, 2] + [1] * 19)[0]
        if r.random() < 0.03:
            value = r.choice([" ", "  ", "\t"]) + value + r.choice(["", " ", "\n"])
        values.append(value)
    return values


def differences(values: list[str], unit: str) -> list[tuple]:
    return batch.differences(values, cents_fast.make(unit), cents.make(unit))


@pytest.mark.parametrize(("unit", "count"), [("cents", 200_000), ("euros", 50_000)])
def test_a_realistic_set_has_no_difference(unit: str, count: int) -> None:
    values = realistic(count, seed=20261122)
    assert differences(values, unit) == []
    assert cents_fast.read_amounts(np.array(values, dtype=object)).known.mean() > 0.7  # not vacuous


_NUMBER = st.text("0123456789.,", min_size=1, max_size=14)


@st.composite
def amount_like(draw: st.DrawFn) -> str:
    """An amount-like string: digits and separators, a euro sign, a sign, ",-", white space."""
    text = draw(st.sampled_from(["", "€", "€ ", "€  ", "-", "+", "(", "EUR "])) + draw(_NUMBER)
    text += draw(st.sampled_from(["", ",-", ".-", ",--", " €", ")", "-", "e", "\u00a0"]))
    return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " ", "\n"]))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(amount_like(), st.text(max_size=12)), min_size=1, max_size=40),
       st.sampled_from(["cents", "euros"]))
def test_amount_like_strings_have_no_difference(values: list[str], unit: str) -> None:
    assert differences(values, unit) == []


@pytest.mark.parametrize(("raw", "unit", "clean"), [
    ("1.234,56", "cents", "123456"), ("1,234.56", "cents", "123456"), ("85,00", "cents", "8500"),
    ("12.5", "cents", "1250"), ("€ 1.234,56", "cents", "123456"), ("1.250,-", "cents", "125000"),
    ("12345", "cents", "12345"), ("12345", "euros", "1234500"), ("007", "cents", "7"), ("0,-", "cents", "0"),
])
def test_the_common_notations_take_the_fast_path(raw: str, unit: str, clean: str) -> None:
    assert cents_fast.read_amounts(np.array([raw], dtype=object)).known.all()
    assert cents_fast.make(unit)(np.array([raw], dtype=object)).outcomes()[0].value == clean


@pytest.mark.parametrize("raw", ["1.234", "-12,50", "12,345", "EUR 12", "12 €", "(12)", "1 234,56", "", "\u00a0",
                                 "٣"])
def test_doubtful_and_invalid_amounts_fall_back(raw: str) -> None:
    assert not cents_fast.read_amounts(np.array([raw], dtype=object)).known.any()


def reference_amounts(distinct: list[str], column: str) -> tuple[dict[int, str], dict[int, tuple[str, str]]]:
    """The column rule as the stage applied it value by value before the fast path: (new texts, errors)."""
    new, errors, parsed = {}, {}, {}
    for at, text in enumerate(distinct):
        try:
            amount = cents.parse(text)
        except Invalid as exc:
            errors[at] = (exc.code, exc.message)
            continue
        if amount is not None:
            parsed[at] = amount
    example = next((distinct[at] for at, a in parsed.items() if a.euros), None)
    for at, amount in parsed.items():
        if example is not None and not amount.euros and amount.number != 0:
            errors[at] = ("mixed-amount-units", (
                f"'{distinct[at]}' is a whole number in a column that also holds amounts in euros (like "
                f"'{example}'): cents or euros? Declare units: {{{column}: cents|euros}} in the mapping."))
            continue
        written = cents.to_cents(amount, "cents")
        if written != distinct[at]:
            new[at] = written
    return new, errors


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(realistic(300, seed=7)), amount_like()), min_size=1, max_size=30,
                unique=True))
def test_the_column_rule_is_unchanged(distinct: list[str]) -> None:
    """Whole numbers among euros are reported with the first euro amount as example, as before."""
    batch = stage._amounts(np.array(distinct, dtype=object), "INVOICE_TAX")
    new = {at: value for at, value in enumerate(batch.values) if value is not None and value != distinct[at]}
    assert (new, batch.errors) == reference_amounts(distinct, "INVOICE_TAX")


def test_a_realistic_column_follows_the_column_rule() -> None:
    distinct = list(dict.fromkeys(realistic(50_000, seed=3)))
    batch = stage._amounts(np.array(distinct, dtype=object), "INVOICE_AMOUNT")
    new = {at: value for at, value in enumerate(batch.values) if value is not None and value != distinct[at]}
    expected = reference_amounts(distinct, "INVOICE_AMOUNT")
    assert new == expected[0] and batch.errors == expected[1]
    assert sum(code == "mixed-amount-units" for code, _ in batch.errors.values()) > 100
