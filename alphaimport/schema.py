"""The pandera schema of a profile, generated from the registry, and the one adapter that turns its
failure cases into issue rows. No pandera object or message leaves this module."""
from __future__ import annotations

import functools
import re
from typing import Iterable

import numpy as np
import pandas as pd
import pandera.pandas as pa

from alphaimport import registry as _registry
from alphaimport.normalise.base import WHITESPACE
from alphaimport.profile import Profile
from alphaimport.registry import CANONICAL_PATTERNS, FieldSpec

INVALID_CODE = {
    "phone": "invalid-phone", "email": "invalid-email", "date": "invalid-date", "cents": "invalid-amount",
    "int": "invalid-integer", "boolean": "invalid-boolean", "gender": "invalid-gender",
    "country": "invalid-country", "currency": "invalid-currency",
}
FAILURE_COLUMNS = ("row", "field", "value", "code", "level")


def build(profile: Profile, columns: Iterable[str]) -> pa.DataFrameSchema:
    """The schema for the registry columns among ``columns``: required values, lengths, formats. A missing
    value (NA) is not checked: the caller marks so the cells it has already refused. Built once per
    profile and columns (every chunk of an input asks for the same)."""
    return _build(profile, tuple(columns))


@functools.lru_cache(maxsize=32)
def _build(profile: Profile, columns: tuple[str, ...]) -> pa.DataFrameSchema:
    registry = _registry.default()
    required = {c for r in profile.requirements() if len(r.columns) == 1 for c in r.columns}
    schema_columns = {
        column: pa.Column(checks=_checks(registry.field(column), column in required), nullable=True,
                          required=column in required)
        for column in columns if column in registry
    }
    return pa.DataFrameSchema(schema_columns, strict=False, coerce=False)


def _checks(spec: FieldSpec, required: bool) -> list[pa.Check]:
    checks = []
    if required:
        checks.append(pa.Check(lambda s: s != "", name="required"))
    if spec.max_length:
        limit = spec.max_length
        checks.append(pa.Check(lambda s: s.str.len() <= limit, name="too-long"))
    pattern = CANONICAL_PATTERNS.get(spec.type)
    if pattern:
        empty_or_pattern = f"(?:{arrow_pattern(pattern)})?"  # one regex, not (s == "") | fullmatch: a third faster
        checks.append(pa.Check(lambda s: s.str.fullmatch(empty_or_pattern), name=INVALID_CODE[spec.type]))
    return checks


def arrow_pattern(pattern: str) -> str:
    """``pattern`` with each \\s inside a character class spelt out as WHITESPACE, Python's \\s for text (the
    same matches, run by Arrow: pandas runs a pattern holding \\s with Python's re one value at a time,
    because RE2's \\s means less)."""
    return re.sub(r"\[(?:\\.|[^\]\\])*\]", lambda m: m.group(0).replace("\\s", WHITESPACE), pattern)


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame, skipped: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every failed check of every cell as (row, field, value, code, level), column by column in the
    schema's order, each column's checks in order. ``skipped``: a boolean frame of cells not to report,
    as if they were missing values (which no check reports).

    Each check is pandera's own (``Check.__call__``: the same vectorised test, the same skipping of
    missing values, the same failure cases); the schema's error report, which pandera assembles at
    some milliseconds a failing check, is not built. A check runs on the column's values by position
    and a skipped cell's failure is dropped afterwards: the checks test each value on its own, so that
    is the failure cases of the column with those cells missing, without masking the column.
    """
    from alphaimport.issues import CODES

    positions, values, names, codes = [], [], [], []
    for name, column in schema.columns.items():
        if name not in frame:
            continue
        cells = pd.Series(frame[name].array)
        skip = skipped[name].to_numpy() if skipped is not None and name in skipped else None
        for check in column.checks:
            result = check(cells)
            if bool(result.check_passed) or result.failure_cases is None:
                continue
            cases = result.failure_cases
            kept = ~skip[cases.index] if skip is not None else slice(None)
            at, failed = cases.index.to_numpy()[kept], cases.astype(str).to_numpy(dtype=object)[kept]
            if len(at):
                positions.append(at)
                values.append(failed)
                names.append(name)
                codes.append(check.name)
    if not positions:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else object) for c in FAILURE_COLUMNS})
    counts = [len(p) for p in positions]
    return pd.DataFrame({
        "row": pd.array(frame.index.to_numpy(dtype="int64")[np.concatenate(positions)], dtype="Int64"),
        "field": np.repeat(np.array(names, dtype=object), counts), "value": np.concatenate(values),
        "code": np.repeat(np.array(codes, dtype=object), counts),
        "level": np.repeat(np.array([CODES[c].level for c in codes], dtype=object), counts),
    })
