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
