"""The pandera schema of a profile, generated from the registry, and the one adapter that turns its
failure cases into issue rows. No pandera object or message leaves this module."""
from __future__ import annotations

import functools
import re
from typing import Iterable

import pandas as pd
import pandera.pandas as pa

from alphaimport import registry as _registry
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
        pattern = arrow_pattern(pattern)
        checks.append(pa.Check(lambda s: (s == "") | s.str.fullmatch(pattern), name=INVALID_CODE[spec.type]))
    return checks


# Python's \s for text (the characters str.isspace() accepts), spelt out. pandas runs a pattern holding
# \s with Python's re one value at a time, because RE2's \s means less; spelt out it runs in Arrow.
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
              "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def arrow_pattern(pattern: str) -> str:
    """``pattern`` with each \\s inside a character class spelt out (the same matches, run by Arrow)."""
    return re.sub(r"\[(?:\\.|[^\]\\])*\]", lambda m: m.group(0).replace("\\s", WHITESPACE), pattern)


def failures(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame:
    """Every failed check of every cell as (row, field, value, code, level), column by column in the
    schema's order, each column's checks in order.

    Each check is pandera's own (``Check.__call__``: the same vectorised test, the same skipping of
    missing values, the same failure cases); the schema's error report, which pandera assembles at
    some milliseconds a failing check, is not built.
    """
    from alphaimport.issues import CODES

    found = []
    for name, column in schema.columns.items():
        if name not in frame:
            continue
        for check in column.checks:
            result = check(frame[name])
            if not bool(result.check_passed) and result.failure_cases is not None:
                cases = result.failure_cases
                found.append(pd.DataFrame({
                    "row": pd.array(cases.index.to_numpy(dtype="int64"), dtype="Int64"),
                    "field": name, "value": cases.astype(str).to_numpy(dtype=object), "code": check.name,
                }))
    if not found:
        return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else object) for c in FAILURE_COLUMNS})
    table = pd.concat(found, ignore_index=True)
    table["level"] = table["code"].map(lambda c: CODES[c].level)
    return table
