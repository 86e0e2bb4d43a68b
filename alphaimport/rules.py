"""Record rules: what one cell cannot tell (uniqueness, history, dates after today, term <= total terms,
at least one valid value of a repeated required field). Each returns an issues frame."""
from __future__ import annotations

import datetime as dt
import functools
from typing import Mapping, Sequence

import pandas as pd

from alphaimport import registry as _registry
from alphaimport.issues import COLUMNS, CODES
from alphaimport.profile import Profile, Requirement

_SHOWN_ROWS = 5


def issues_frame(rows: pd.Index, field: str | pd.Series, values: pd.Series | str, code: str,
                 messages: pd.Series | str) -> pd.DataFrame:
    """An issues frame (COLUMNS) for ``rows``, built column-wise (in the order of COLUMNS)."""
    return pd.DataFrame({
        "row": pd.array(rows, dtype="Int64"),
        "field": _aligned(field, rows), "value": _aligned(values, rows), "code": code,
        "level": CODES[code].level, "message": _aligned(messages, rows),
    })


def _aligned(value: pd.Series | str, rows: pd.Index) -> list[str]:
    if isinstance(value, pd.Series):
        return value.loc[rows].astype(str).tolist() if len(rows) else []
    return [value] * len(rows)


def duplicate_identifiers(frame: pd.DataFrame, others: Mapping[str, Sequence[int]] | None = None) -> pd.DataFrame:
    """Every record whose unique field value is shared with another record (the platform keeps only the last)."""
    found = []
    for spec in _registry.default().fields:
        if not spec.unique or spec.column not in frame:
            continue
        values = frame[spec.column]
        if others is None:
            present = values[values != ""]
            shared = present[present.duplicated(keep=False)]
            groups = {k: list(v) for k, v in shared.groupby(shared, sort=False).groups.items()}
        else:
            shared = values[values.isin(others)]
            groups = {k: list(others[k]) for k in shared.unique()}
        if shared.empty:
            continue
        messages = pd.Series([
            f"identifier {value} is also on row {_rows_text([r for r in groups[value] if r != row])}; "
            "the platform keeps only the last of equal identifiers"
            for row, value in shared.items()], index=shared.index)
        found.append(issues_frame(shared.index, spec.column, shared, "duplicate-identifier", messages))
    return _concat(found)


def delivered_before(frame: pd.DataFrame, earlier: Mapping[str, str]) -> pd.DataFrame:
    """A warning for every identifier an earlier delivery (``earlier``: identifier -> file) already holds."""
    found = []
    for spec in _registry.default().fields:
        if not spec.unique or spec.column not in frame or not earlier:
            continue
        values = frame[spec.column]
        hit = values[values.isin(earlier)]
        if hit.empty:
            continue
        messages = hit.map(lambda v: f"identifier {v} was delivered before in {earlier[v]}; "
                                     "the platform will update that job instead of creating a new one")
        found.append(issues_frame(hit.index, spec.column, hit, "identifier-delivered-before", messages))
    return _concat(found)


def future_dates(frame: pd.DataFrame, invalid: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    """An error for every due date that is today or earlier (ISO dates compare as text)."""
    found = []
    for spec in _registry.default().fields:
        if not spec.future or spec.column not in frame:
            continue
        values = frame[spec.column]
        valid = (values != "") & ~values.index.isin(invalid.index[invalid[spec.column]] if spec.column in invalid
                                                    else [])
        late = values[valid & (values <= today.isoformat())]
        if late.empty:
            continue
        messages = late.map(lambda v: f"{spec.column} {v} is not after today ({today.isoformat()}); "
                                      "the guide requires a due date in the future")
        found.append(issues_frame(late.index, spec.column, late, "date-not-in-future", messages))
    return _concat(found)


def at_most(frame: pd.DataFrame, invalid: pd.DataFrame) -> pd.DataFrame:
    """An error where a number exceeds the field it may not exceed (TERM <= TOTALTERMS)."""
    found = []
    for spec in _registry.default().fields:
        if spec.at_most is None or spec.column not in frame or spec.at_most not in frame:
            continue
        both = (frame[spec.column] != "") & (frame[spec.at_most] != "")
        for column in (spec.column, spec.at_most):
            if column in invalid:
                both &= ~invalid[column]
        value = pd.to_numeric(frame[spec.column].where(both), errors="coerce")
        limit = pd.to_numeric(frame[spec.at_most].where(both), errors="coerce")
        over = frame.index[both & (value > limit)]
        if over.empty:
            continue
        messages = pd.Series([f"{spec.column} {frame.at[r, spec.column]} is greater than {spec.at_most} "
                              f"{frame.at[r, spec.at_most]}" for r in over], index=over, dtype=object)
        found.append(issues_frame(over, spec.column, frame[spec.column], "term-exceeds-total", messages))
    return _concat(found)


def repeated_required(frame: pd.DataFrame, invalid: pd.DataFrame, profile: Profile) -> pd.DataFrame:
    """An error for every record with no valid value in any column of a required repeated field."""
    found = []
    for requirement in profile.requirements():
        if len(requirement.columns) < 2:
            continue
        has_value = pd.Series(False, index=frame.index)
        for column in requirement.columns:
            if column in frame:
                ok = frame[column] != ""
                if column in invalid:
                    ok &= ~invalid[column]
                has_value |= ok
        missing = frame.index[~has_value]
        found.append(issues_frame(missing, requirement.template, "", "required", _repeated_message(requirement)))
    return _concat(found)


def _repeated_message(requirement: Requirement) -> str:
    names = ", ".join(requirement.columns[:-1]) + " or " + requirement.columns[-1]
    return (f"no valid value in {names}; at least one is required because the profile includes "
            f"{' and '.join(requirement.required_by)}")


def _rows_text(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in sorted(rows)[:_SHOWN_ROWS])
    return shown + (f" and {len(rows) - _SHOWN_ROWS} more" if len(rows) > _SHOWN_ROWS else "")


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return _empty().copy()
    return pd.concat(frames, ignore_index=True)


@functools.lru_cache(maxsize=1)
def _empty() -> pd.DataFrame:
    """The empty issues frame (copied by each caller: building one anew costs half a millisecond)."""
    return pd.DataFrame({c: pd.Series(dtype="Int64" if c == "row" else object) for c in COLUMNS})
