"""Validate: normalise every value, check the profile's schema (pandera) and the record rules, and give
the verdict on every record: accepted or rejected, with every issue as a row."""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from alphaimport import registry as _registry
from alphaimport import rules
from alphaimport.issues import ACCEPTED, COLUMNS, ERROR, INFO, REJECTED, WARNING
from alphaimport.issues import frame as issues_frame
from alphaimport.normalise import Options, normalise
from alphaimport.profile import Profile

REASONS = "reasons"  # the rejects table's column of reasons
STATUS = "status"
TOP_PROBLEMS = 10


@dataclass
class Result:
    """The verdict on a frame: accepted (normalised) and rejected (original) records, and every issue."""

    accepted: pd.DataFrame
    rejected: pd.DataFrame
    issues: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)


def options_for(profile: Profile, mapping: Any = None, phone_countries: Iterable[str] | None = None) -> Options:
    """Normalisation options from a mapping (region, date order, units), the profile (sms: mobiles) and an
    optional allow-list of phone countries."""
    allowed = frozenset(c.strip().upper() for c in phone_countries if c.strip()) if phone_countries else None
    if mapping is None:
        return Options(mobile_expected="sms" in profile.media, allowed_countries=allowed)
    return Options(region=mapping.region, date_order=mapping.date_order, units=dict(mapping.units),
                   mobile_expected="sms" in profile.media, allowed_countries=allowed)


def validate(frame: pd.DataFrame, profile: Profile, options: Options | None = None, *,
             today: dt.date | None = None, earlier: Mapping[str, str] | None = None,
             duplicates: Mapping[str, Sequence[int]] | None = None,
             issues: pd.DataFrame | None = None, info: bool = True, ledger: str | Path | None = None) -> Result:
    """Normalise and validate ``frame`` for ``profile``.

    A canonical frame (what :func:`alphaimport.read` returns: registry column names, text cells, a unique
    index of row numbers from 1) is judged as it is, its index labels being the rows. Any other DataFrame
    (other names, typed cells, another index) is read first, as ``validate(read(frame), ...)``: names
    mapped in any case and API names, ``unknown-column`` for the rest, every cell as text, row = 1-based
    position. A missing cell (None, NaN, NA) of a text column is an empty cell.

    ``ledger``: the path of a delivery ledger; identifiers delivered before get the
    ``identifier-delivered-before`` warning naming the file (None: no ledger is consulted).
    ``earlier``: identifier -> earlier delivery (from the ledger); ``duplicates``: identifier -> all rows
    sharing it across a whole file when ``frame`` is one chunk of it; ``issues``: issues found before
    (mapping) to carry into the result; ``info=False``: the ``normalised`` rows are counted in the summary,
    not listed in ``issues`` (a run without a report needs only the count). A frame from
    :func:`alphaimport.read` carries its mapping and header issues in ``frame.attrs``; they are used when
    ``options`` and ``issues`` are not given.
    """
    _check_arguments(frame, profile, ledger)
    if not is_canonical(frame):
        frame = _read(frame)
    options = options or options_for(profile, frame.attrs.get("mapping"))
    if issues is None and frame.attrs.get("issues"):
        issues = issues_frame(frame.attrs["issues"])
    if frame.isna().to_numpy().any():  # a DataFrame built by hand: a missing cell is an empty cell
        frame = frame.fillna("")
    if ledger is not None:
        earlier = {**_delivered_before(frame, options, ledger), **(earlier or {})}
    today = today or dt.date.today()
    normalised, found = normalise(frame, options, info=info)
    rewritten = found.attrs["normalised"]
    invalid = _invalid_cells(found, normalised)
    found = rules._concat([
        issues if issues is not None else _empty_issues(),
        found,
        _schema_issues(normalised, profile, invalid),
        rules.repeated_required(normalised, invalid, profile),
        rules.duplicate_identifiers(normalised, duplicates),
        rules.delivered_before(normalised, earlier or {}),
        rules.future_dates(normalised, invalid, today),
        rules.at_most(normalised, invalid),
    ])
    errors = found[found["level"] == ERROR]
    rejected_mask = frame.index.isin(errors["row"].dropna().astype(int))
    rejected = frame.take(np.flatnonzero(rejected_mask))  # take: a new frame, cheaper than .loc[mask]
    rejected[REASONS] = _reasons(errors).reindex(rejected.index).fillna("")
    accepted = normalised.take(np.flatnonzero(~rejected_mask))
    summary = summarise(len(frame), len(rejected), found, normalised=rewritten)
    return Result(accepted, rejected, found.reset_index(drop=True), summary)


def is_canonical(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` is what :func:`alphaimport.read` gives, judged as it is: a unique integer index
    of row numbers (from 1), only registry column names (exactly), and text cells (a str or missing in an
    object column, or a pandas string column). Vectorised: a small fraction of a chunk's verdict."""
    index = frame.index
    if isinstance(index, pd.MultiIndex) or index.dtype.kind not in "iu" or index.hasnans:
        return False
    if len(index) and (not index.is_unique or index.min() < 1):
        return False
    columns = frame.columns
    registry = _registry.default()
    if not columns.is_unique or not all(isinstance(c, str) and c in registry for c in columns):
        return False
    for position, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, pd.StringDtype):
            continue
        if dtype != object:
            return False
        if pd.api.types.infer_dtype(frame.iloc[:, position].to_numpy(), skipna=True) not in ("string", "empty"):
            return False  # a str or a missing cell in every row (a C loop, ~0.1 ms for 20,000 cells)
    return True


def _read(frame: pd.DataFrame) -> pd.DataFrame:
    """``read(frame)``, keeping what ``frame.attrs`` holds from an earlier read (a frame of alphaimport.read
    concatenated or re-indexed): its mapping (units, date order, region) and its header issues."""
    from alphaimport.read import read

    found = read(frame)
    if frame.attrs.get("issues"):
        found.attrs["issues"] = [*frame.attrs["issues"], *found.attrs["issues"]]
    if frame.attrs.get("mapping") is not None:
        found.attrs["mapping"] = frame.attrs["mapping"]
    return found


def _check_arguments(frame: Any, profile: Any, ledger: Any) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"validate() needs a pandas DataFrame (alphaimport.read gives one from a file), "
                        f"not {type(frame).__name__}")
    if not isinstance(profile, Profile):
        raise TypeError(f"validate() needs an alphaimport.Profile (Profile(media={{'sms'}})), "
                        f"not {type(profile).__name__} {profile!r:.60}")
    if ledger is not None and not isinstance(ledger, (str, Path)):
        raise TypeError(f"ledger must be the path of a ledger (str or Path) or None, not {type(ledger).__name__}")


def _delivered_before(frame: pd.DataFrame, options: Options, path: str | Path) -> dict[str, str]:
    """Identifier -> the earlier delivery holding it, from the ledger at ``path``, as the command line
    looks it up (the identifiers as delivered: trimmed)."""
    from alphaimport.ledger import Ledger

    with Ledger(Path(path)) as book:
        return book.delivered_before(identifiers(delivered_identifiers(frame, options)))


def delivered_identifiers(frame: pd.DataFrame, options: Options) -> pd.DataFrame:
    """The frame's unique fields as the normalise stage writes them (trimmed): duplicates and the ledger
    compare the identifiers delivered, which the rules see, not the text read."""
    columns = [f.column for f in _registry.default().fields if f.unique and f.column in frame]
    return normalise(frame[columns], options, info=False)[0]


def identifiers(frame: pd.DataFrame) -> list[str]:
    """The values of the frame's unique fields, the empty ones left out."""
    columns = [f.column for f in _registry.default().fields if f.unique and f.column in frame]
    return [v for c in columns for v in frame[c].tolist() if v]


def status(result: Result) -> pd.Series:
    """accepted / rejected for every record, by source row, in the platform's words."""
    rows = result.accepted.index.append(result.rejected.index)
    words = [ACCEPTED] * len(result.accepted) + [REJECTED] * len(result.rejected)
    return pd.Series(words, index=rows, name=STATUS).sort_index()


def summarise(records: int, rejected: int, issues: pd.DataFrame, normalised: int | None = None) -> dict[str, Any]:
    """Counts and the top problems (by field and code) of one frame's verdict; ``normalised``: the count
    of rewritten values when their info rows are not all in ``issues``."""
    levels = {str(k): int(v) for k, v in issues["level"].value_counts().items()}
    if normalised is not None:
        levels[INFO] = normalised
    problems = issues[issues["level"] != INFO].groupby(["field", "code", "level"], sort=False).size()
    return summary(records, rejected, levels, problems)


def summary(records: int, rejected: int, levels: Mapping[str, int], problems: pd.Series) -> dict[str, Any]:
    """The summary as plain data (the --report file's "summary"): counts, and the most frequent
    (field, code, level) problems from ``problems`` (counts indexed by those three)."""
    top = problems.sort_values(ascending=False, kind="stable").head(TOP_PROBLEMS)
    return {
        "records": records, "accepted": records - rejected, "rejected": rejected,
        "errors": levels.get(ERROR, 0), "warnings": levels.get(WARNING, 0), "normalised": levels.get(INFO, 0),
        "top_problems": [{"field": f, "code": c, "level": lv, "count": int(n)} for (f, c, lv), n in top.items()],
    }


def _invalid_cells(issues: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """Boolean frame: True where a normaliser refused the cell's value (every row with the label)."""
    codes, fields = pd.factorize(issues["field"])
    columns = np.append(frame.columns.get_indexer(fields), -1)[codes]  # -1: not a column of the frame
    errors = (issues["level"] == ERROR).to_numpy() & (columns >= 0)
    rows = pd.Index(issues["row"].to_numpy()[errors].astype(int))
    labels = rows.unique()
    cells = np.zeros((len(labels) + 1, len(frame.columns)), dtype=bool)  # the last line: a row without errors
    cells[labels.get_indexer(rows), columns[errors]] = True
    return pd.DataFrame(cells[labels.get_indexer(frame.index)], index=frame.index, columns=frame.columns)


def _schema_issues(frame: pd.DataFrame, profile: Profile, invalid: pd.DataFrame) -> pd.DataFrame:
    """Run the profile's pandera schema lazily; failures become issues. Cells a normaliser refused are
    missing values to the schema (it skips them): their issue is already there."""
    from alphaimport import schema as _schema

    missing = [c for r in profile.requirements() if len(r.columns) == 1 for c in r.columns if c not in frame]
    checked = frame.assign(**{c: "" for c in missing}) if missing else frame
    failures = _schema.failures(_schema.build(profile, checked.columns), checked, invalid)
    if failures.empty:
        return _empty_issues()
    cells = zip(*(failures[c].to_numpy() for c in ("field", "code", "value")))
    messages = [_message(column, code, value, profile, column in missing) for column, code, value in cells]
    return failures.assign(message=messages)[list(COLUMNS)]


def _message(column: str, code: str, value: str, profile: Profile, absent: bool) -> str:
    if code == "required":
        return _required_message(column, profile, absent)
    spec = _registry.default().field(column)
    if code == "too-long":
        return f"{column} is {len(value)} characters long; the maximum is {spec.max_length}"
    return f"{value!r} is not a valid {spec.type} value for {column}"


@functools.lru_cache(maxsize=256)
def _required_message(column: str, profile: Profile, absent: bool) -> str:
    what = "is not in the input" if absent else "is empty"
    return f"{column} {what}; required because the profile includes {' and '.join(profile.required_by(column))}"


def _reasons(errors: pd.DataFrame) -> pd.Series:
    """"field: code: message | ..." per row, in the order the errors were found."""
    return joined_by_row(errors["row"], errors["field"] + ": " + errors["code"] + ": " + errors["message"], " | ")


def joined_by_row(rows: pd.Series, texts: pd.Series, separator: str) -> pd.Series:
    """``texts`` joined per row (rows ascending, each row's texts in their order): a sort and slices,
    not a pandas group per row (tens of thousands of rejected rows a chunk)."""
    numbers = rows.astype(int).to_numpy()
    order = np.argsort(numbers, kind="stable")
    numbers, values = numbers[order], texts.to_numpy(dtype=object)[order].tolist()  # a list slices faster
    starts = np.flatnonzero(np.r_[True, numbers[1:] != numbers[:-1]]) if len(numbers) else np.zeros(0, int)
    ends = np.r_[starts[1:], len(numbers)]
    return pd.Series([separator.join(values[a:b]) for a, b in zip(starts.tolist(), ends.tolist())],
                     index=numbers[starts], dtype=object)


def _empty_issues() -> pd.DataFrame:
    return rules._concat([])


__all__ = ["Result", "validate", "is_canonical", "status", "summarise", "REASONS"]
