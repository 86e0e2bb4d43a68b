"""The byte-level string helpers of the fast paths, against Python on the same strings."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from alphaimport.normalise import strings

_TEXTS = st.lists(st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=8)
                  | st.sampled_from(["", " a", "a ", "a\tb", "\x7f", "~", "é", "\u3000"]), max_size=30)


@settings(max_examples=300, deadline=None)
@given(_TEXTS, st.sampled_from([pa.string(), pa.large_string()]), st.integers(0, 3))
def test_printable_ascii_and_byte_at_read_the_bytes(values: list[str], kind: pa.DataType, skip: int) -> None:
    array = pa.array(["x"] * skip + values, type=kind).slice(skip)  # a slice: offsets that do not start at 0
    assert strings.printable_ascii(array).tolist() == [all(" " <= c <= "~" for c in v) for v in values]
    encoded = [v.encode("utf-8") for v in values]
    for position in (0, 1, -1):
        at = np.array([position if position >= 0 else len(e) - 1 for e in encoded])
        expected = [e[p] if 0 <= p < len(e) else -1 for e, p in zip(encoded, at)]
        assert strings.byte_at(array, at).tolist() == expected
    assert strings.lengths(array).tolist() == [len(e) for e in encoded]
