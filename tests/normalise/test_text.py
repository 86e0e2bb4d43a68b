"""Text: trimming, line breaks, control characters, and the stage's vectorised pre-filter."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alphaimport.normalise import text
from alphaimport.normalise.base import WHITESPACE, Invalid


def test_whitespace_is_what_str_strip_removes() -> None:
    assert WHITESPACE == "".join(c for c in map(chr, range(0x110000)) if c.isspace())


@pytest.mark.parametrize(("raw", "clean"), [
    ("a\r\nb", "a b"), ("a\rb", "a b"), ("a\n\n\nb", "a b"), ("a \t b", "a b"), ("a\u2028b", "a b"),
    ("\ufeffa", "\ufeffa"),  # a BOM is not white space: the reader removes it, not this rule
])
def test_line_breaks(raw: str, clean: str) -> None:
    assert text.make()(raw).value == clean


def test_invalid_text_names_the_character_and_where() -> None:
    with pytest.raises(Invalid) as caught:
        text.make()("  ab\x00c")
    assert caught.value.code == "invalid-text"
    assert "U+0000 (NUL) at position 5" in caught.value.message


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_a_value_the_prefilter_skips_is_unchanged(raw: str) -> None:
    for surrogates in (True, False):
        if surrogates or not any(0xD800 <= ord(c) <= 0xDFFF for c in raw):
            if not re.search(text.needs_work_pattern(surrogates), raw):
                assert text.make()(raw).value == raw


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(exclude_categories=("Cs",))), min_size=1, max_size=20))
def test_the_prefilter_reads_alike_in_pyarrow_and_python(raws: list[str]) -> None:
    import pandas as pd

    pattern = text.needs_work_pattern(surrogates=False)
    series = pd.Series(raws, dtype=pd.StringDtype(storage="pyarrow"))
    arrow = series.str.contains(pattern, regex=True).tolist()
    assert arrow == [bool(re.search(pattern, raw)) for raw in raws]


@pytest.mark.parametrize("raw", ["a\ufffeb", "\uffff"])
def test_xml_noncharacters_are_refused_per_record(raw: str) -> None:
    # XML 1.0 forbids U+FFFE/U+FFFF: refusing the value rejects one record instead of failing an XML build
    with pytest.raises(Invalid) as caught:
        text.make()(raw)
    assert caught.value.code == "invalid-text" and "noncharacter" in caught.value.message


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(exclude_categories=("Cs",))) | st.sampled_from(
    [" a", "a ", "a\nb", "a\n", "\u3000x", "x\x85", "a\x00b", "\ufffe", "", "plain"]), min_size=1, max_size=20))
def test_the_stage_finds_exactly_the_values_the_prefilter_pattern_matches(raws: list[str]) -> None:
    import pandas as pd

    from alphaimport.normalise import needs_text_work

    pattern = text.needs_work_pattern(surrogates=False)
    for series in (pd.Series(raws, dtype="str"), pd.Series(raws, dtype=object)):
        assert needs_text_work(series).tolist() == [bool(re.search(pattern, raw)) for raw in raws]
