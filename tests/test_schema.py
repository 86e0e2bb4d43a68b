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


def test_skipped_cells_are_not_reported_as_if_missing() -> None:
    from alphaimport.profile import Profile
    from alphaimport.schema import build, failures

    frame = pd.DataFrame({
        "IDENTIFICATION_IDENTIFIER": ["", "", "7"],
        "CONTACT_PHONENUMBER_1": ["06-1234", "06-1234", "x"],
        "INVOICE_DUEDATE": ["31-12-2027", "2027-12-31", "31-12-2027"],
    }, index=pd.Index([9, 4, 9], name="row"), dtype="str")  # a repeated label: cells go by position
    skipped = pd.DataFrame({"CONTACT_PHONENUMBER_1": [True, False, True], "INVOICE_DUEDATE": [False, False, True]},
                           index=frame.index)
    found = failures(build(Profile("sms", "paylink"), frame.columns), frame, skipped)
    assert found.astype(str).to_numpy().tolist() == [
        ["9", "IDENTIFICATION_IDENTIFIER", "", "required", "error"],
        ["4", "IDENTIFICATION_IDENTIFIER", "", "required", "error"],
        ["4", "CONTACT_PHONENUMBER_1", "06-1234", "invalid-phone", "error"],
        ["9", "INVOICE_DUEDATE", "31-12-2027", "invalid-date", "error"],
    ]
    assert found["row"].dtype == "Int64"


def test_nothing_left_after_skipping_is_an_empty_table() -> None:
    from alphaimport.profile import Profile
    from alphaimport.schema import build, failures

    frame = pd.DataFrame({"INVOICE_DUEDATE": ["31-12-2027"]}, index=pd.Index([3], name="row"), dtype="str")
    found = failures(build(Profile("sms", "paylink"), frame.columns), frame, frame.map(lambda _: True))
    assert found.empty and list(found.columns) == ["row", "field", "value", "code", "level"]


CELLS = st.sampled_from(["", "1", "31612345678", "0612", "a@b", "a b@c", "2027-12-31", "31-12-2027", "EUR", "eur",
                         "M", "x" * 60, None])


@given(st.lists(st.tuples(CELLS, CELLS, CELLS, CELLS, st.booleans(), st.booleans()), min_size=1, max_size=12))
def test_skipping_cells_is_pandera_validating_them_as_missing(rows: list[tuple]) -> None:
    from alphaimport.profile import Profile
    from alphaimport.schema import build, failures

    columns = ["PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1", "CONTACT_EMAIL_1", "INVOICE_DUEDATE"]
    frame = pd.DataFrame([r[:4] for r in rows], columns=columns, dtype="str",
                         index=pd.Index(range(2, 2 + len(rows)), name="row"))
    skipped = pd.DataFrame({"CONTACT_EMAIL_1": [r[4] for r in rows], "INVOICE_DUEDATE": [r[5] for r in rows]},
                           index=frame.index)
    schema = build(Profile("sms", "paylink"), columns)
    found = failures(schema, frame, skipped)
    ours = set(zip(found["row"].astype(int), found["field"], found["value"], found["code"]))
    assert ours == _pandera_report(schema, frame.mask(skipped.reindex(columns=columns, fill_value=False)))
    assert len(ours) == len(found)


@pytest.mark.parametrize("kind", sorted(CANONICAL_PATTERNS))
def test_a_format_check_passes_an_empty_value_or_a_full_match(kind: str) -> None:
    from alphaimport.registry import default
    from alphaimport.schema import _checks

    spec = next(f for f in default().fields if f.type == kind)
    values = pd.Series(["", " ", "1\n", "NL ", "\nNL"] + EMAILISH
                       + ["31612345678", "2027-12-31", "12345", "-5", "1", "M", "NL", "EUR"], dtype="str")
    check = next(c for c in _checks(spec, required=False) if c.name.startswith("invalid-"))
    expected = [v == "" or re.fullmatch(CANONICAL_PATTERNS[kind], v) is not None for v in values]
    assert check(values).check_output.tolist() == expected
