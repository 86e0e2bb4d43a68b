"""Column-wise string helpers for the fast paths: Arrow string arrays and their bytes as numpy arrays.

The byte-level helpers (``keep_digits``, ``drop_heads``, ``digit_at``) assume ASCII text, where a byte is a
character; the fast paths call them only on values their ASCII shape check has accepted.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def to_arrow(values: np.ndarray) -> tuple[pa.StringArray, np.ndarray]:
    """Return (``values`` as an Arrow string array, where it holds the value itself).

    A value UTF-8 cannot hold (a lone surrogate) becomes ``""`` in the array and ``False`` in the mask, so
    a fast path leaves it to the per-value function.
    """
    try:
        array = pa.array(values, type=pa.string())
        return array, np.ones(len(values), dtype=bool)
    except (UnicodeEncodeError, pa.ArrowException):
        usable = np.fromiter((_encodable(v) for v in values), dtype=bool, count=len(values))
        cleaned = np.where(usable, values, "")
        return pa.array(cleaned, type=pa.string()), usable


def _encodable(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def fullmatch(array: pa.Array, pattern: str) -> np.ndarray:
    """Return where the whole of each string matches ``pattern`` (RE2 syntax)."""
    return _mask(pc.match_substring_regex(array, f"^(?:{pattern})$"))


def prefix_match(array: pa.Array, pattern: str) -> np.ndarray:
    """Return where ``pattern`` matches at the start of each string (re.match)."""
    return _mask(pc.match_substring_regex(array, f"^(?:{pattern})"))


def starts_with(array: pa.Array, prefix: str) -> np.ndarray:
    """Return where each string starts with ``prefix``."""
    return _mask(pc.starts_with(array, prefix))


def _mask(result: pa.Array) -> np.ndarray:
    return np.asarray(result.to_numpy(zero_copy_only=False), dtype=bool)


def _parts(array: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Return (offsets relative to the data, data bytes) of a string array (or large string array) without nulls."""
    if array.null_count:
        raise ValueError("the string array holds nulls")
    buffers = array.buffers()
    width = np.int64 if pa.types.is_large_string(array.type) else np.int32
    offsets = np.frombuffer(buffers[1], dtype=width)[array.offset: array.offset + len(array) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, np.uint8)
    return offsets.astype(np.int64), data


def _array(lengths: np.ndarray, data: np.ndarray) -> pa.StringArray:
    offsets = np.zeros(len(lengths) + 1, dtype=np.int32)
    offsets[1:] = np.cumsum(lengths, dtype=np.int32)
    return pa.StringArray.from_buffers(len(lengths), pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data)))


def lengths(array: pa.Array) -> np.ndarray:
    """Return the byte length of each string (its character count when ASCII)."""
    offsets, _ = _parts(array)
    return np.diff(offsets)


def keep_digits(array: pa.Array) -> pa.StringArray:
    """Return each string with every byte other than ASCII 0-9 removed."""
    offsets, data = _parts(array)
    body = data[offsets[0]: offsets[-1]]
    keep = (body >= 0x30) & (body <= 0x39)
    counted = np.zeros(len(body) + 1, dtype=np.int32)
    counted[1:] = np.cumsum(keep, dtype=np.int32)
    counts = np.diff(counted[offsets - offsets[0]])
    return _array(counts, body[keep])


def drop_heads(array: pa.Array, heads: np.ndarray) -> pa.Array:
    """Return each string without its first ``heads[i]`` characters."""
    heads = np.asarray(heads, dtype=np.int64)
    cuts = np.unique(heads)
    if len(cuts) == 1:
        return pc.utf8_slice_codeunits(array, int(cuts[0]))
    which = np.searchsorted(cuts, heads).astype(np.int32)
    return pc.choose(pa.array(which), *(pc.utf8_slice_codeunits(array, int(cut)) for cut in cuts))


def digit_at(array: pa.Array, positions: np.ndarray) -> np.ndarray:
    """Return the digit at ``positions[i]`` of each string (ASCII digits), or -1 past its end."""
    found = byte_at(array, positions)
    return np.where(found >= 0, found - 0x30, -1)


def byte_at(array: pa.Array, positions: np.ndarray) -> np.ndarray:
    """Return the byte at ``positions[i]`` of each string, or -1 outside it."""
    offsets, data = _parts(array)
    positions = np.asarray(positions, dtype=np.int64)
    inside = (positions >= 0) & (positions < np.diff(offsets))
    found = np.full(len(positions), -1, dtype=np.int64)
    found[inside] = data[offsets[:-1][inside] + positions[inside]]
    return found


def printable_ascii(array: pa.Array) -> np.ndarray:
    """Return where each string holds printable ASCII only (bytes 0x20-0x7e: no control character, no
    line break, no other character)."""
    offsets, data = _parts(array)
    body = data[offsets[0]: offsets[-1]]
    other = np.flatnonzero((body < 0x20) | (body > 0x7E))  # rare: found, then placed among the strings
    plain = np.ones(len(array), dtype=bool)
    plain[np.searchsorted(offsets - offsets[0], other, side="right") - 1] = False
    return plain


def joined(prefixes: np.ndarray | str, array: pa.Array) -> np.ndarray:
    """Return ``prefix + string`` per row (a prefix string, or numbers written in decimal) as a numpy object array."""
    prefix = prefixes if isinstance(prefixes, str) else pc.cast(pa.array(prefixes), pa.string())
    return np.asarray(pc.binary_join_element_wise(prefix, array, "").to_numpy(zero_copy_only=False), dtype=object)
