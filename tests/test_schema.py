"""The pandera adapter: patterns run by Arrow mean exactly what Python's re means."""
from __future__ import annotations

import re
import sys

import pandas as pd
import pytest
from hypothesis import given, strategies as st

from alphaimport.registry import CANONICAL_PATTERNS
from alphaimport.schema import WHITESPACE, arrow_pattern


def test_whitespace_is_every_character_python_s_matches() -> None:
    assert WHITESPACE == "".join(chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c)))


def test_s_is_spelt_out_inside_classes_only() -> None:
    assert arrow_pattern(r"[^@\s]+@[^@\s]+") == f"[^@{WHITESPACE}]+@[^@{WHITESPACE}]+"
    assert arrow_pattern(r"\s[\]\s]") == rf"\s[\]{WHITESPACE}]"
    assert arrow_pattern("[0-9]{1,20}") == "[0-9]{1,20}"


EMAILISH = ["a@b", "a b@c", "a\xa0b@c", "x@y\u2028", "a@b\u3000c", "a\x1fb@c", "\x85@b", "@b", "ab", "a@b@c",
            "é@ü", "a\tb@c", "a@b\n", "😀@x"]


@pytest.mark.parametrize("kind", sorted(CANONICAL_PATTERNS))
def test_the_arrow_pattern_matches_what_python_matches(kind: str) -> None:
    values = pd.Series(EMAILISH + ["31612345678", "2027-12-31", "12345", "-5", "1", "M", "NL", "EUR"], dtype="str")
    pattern = arrow_pattern(CANONICAL_PATTERNS[kind])
    assert not values.array._needs_python_regex(pattern)  # the point: Arrow runs it
    python = [re.fullmatch(CANONICAL_PATTERNS[kind], v) is not None for v in values]
    assert values.str.fullmatch(pattern).tolist() == python


@given(st.lists(st.text(alphabet=st.sampled_from("a@ .\t\n\x85\xa0\u3000\u2028é1"), max_size=8), min_size=1))
def test_email_pattern_on_arbitrary_text(texts: list[str]) -> None:
    values = pd.Series(texts, dtype="str")
    python = [re.fullmatch(CANONICAL_PATTERNS["email"], v) is not None for v in texts]
    assert values.str.fullmatch(arrow_pattern(CANONICAL_PATTERNS["email"])).tolist() == python


def _pandera_report(schema: object, frame: pd.DataFrame) -> set[tuple[int, str, str, str]]:
    """The failures as pandera's own lazy schema validation reports them."""
    import pandera.pandas as pa

    try:
        schema.validate(frame, lazy=True)  # type: ignore[attr-defined]
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases.dropna(subset=["index", "column"])
        return set(zip(cases["index"].astype(int), cases["column"], cases["failure_case"].astype(str),
                       cases["check"]))
    return set()


def test_failures_are_exactly_the_cells_pandera_reports_with_their_codes() -> None:
    from alphaimport.profile import Profile
    from alphaimport.schema import build, failures

    frame = pd.DataFrame({
        "IDENTIFICATION_IDENTIFIER": ["1", "", "3", "4"],
        "PERSON_FAMILYNAME": ["Jansen", "x" * 300, "", None],  # None: a refused cell, not checked
        "CONTACT_PHONENUMBER_1": ["31612345678", "06-1234", "", "31612345679"],
        "INVOICE_DUEDATE": ["2027-12-31", "31-12-2027", "", "2027-01-01"],
    }, index=pd.Index([2, 3, 4, 5], name="row"), dtype="str")
    schema = build(Profile("sms", "paylink"), frame.columns)
    found = failures(schema, frame)
    assert list(found.columns) == ["row", "field", "value", "code", "level"]
    assert sorted(map(tuple, found[["row", "field", "code"]].astype(str).to_numpy().tolist())) == sorted([
        ("3", "IDENTIFICATION_IDENTIFIER", "required"),
        ("3", "PERSON_FAMILYNAME", "too-long"),
        ("4", "PERSON_FAMILYNAME", "required"),
        ("3", "CONTACT_PHONENUMBER_1", "invalid-phone"),
        ("3", "INVOICE_DUEDATE", "invalid-date"),
        ("4", "INVOICE_DUEDATE", "required"),  # paylink needs a due date; one phone of three is a record rule
    ])
    assert set(found["level"]) == {"error"}
    ours = set(zip(found["row"].astype(int), found["field"], found["value"], found["code"]))
    assert ours == _pandera_report(schema, frame)
