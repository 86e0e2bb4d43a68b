"""The pipeline: read -> map -> normalise -> validate -> write, chunk by chunk, for both commands."""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pandas as pd

from alphaimport.read import iter_load
from alphaimport import registry as _registry
from alphaimport.deliver import Delivery, check_client, check_day
from alphaimport.errors import OptionError
from alphaimport.issues import frame as issues_frame
from alphaimport.ledger import Ledger
from alphaimport.profile import Profile
from alphaimport.report import Tally
from alphaimport.validate import REASONS, options_for, validate

CHUNK_ROWS = 100_000
Progress = Callable[[int], None]


@dataclass(frozen=True)
class Job:
    """Everything one validate or build run needs to know."""

    source: Any
    profile: Profile
    mapping: Any = None
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    client: str | None = None  # build only
    out_dir: Path | None = None  # build only
    format: str = "csv"
    day: str | None = None
    ledger: Path | None = None
    strict: bool = False
    phone_countries: tuple[str, ...] | None = None  # allow-list of phone number countries (NL, BE)
    today: dt.date | None = None
    chunk_rows: int = CHUNK_ROWS


@dataclass
class Outcome:
    """What a run did: the tally of records and issues, and the files it wrote."""

    tally: Tally
    written: list[Path] = field(default_factory=list)
    delivery: str | None = None
    strict_refused: bool = False


def run(job: Job, progress: Progress | None = None, keep_issues: bool = False, redact: bool = False) -> Outcome:
    """Validate (no out_dir) or build (out_dir and client) one input; see DESIGN.md."""
    building = job.out_dir is not None
    if building:
        if not job.client:
            raise OptionError("build needs --client (the client number in the file name)")
        check_client(job.client)
        check_day(job.day)
    columns, mapping, header_issues, chunks = iter_load(
        job.source, job.mapping, job.sheet, encoding=job.encoding, delimiter=job.delimiter,
        chunk_rows=job.chunk_rows)
    options = options_for(job.profile, mapping, job.phone_countries)
    chunks, duplicates = _duplicates_across_chunks(job, chunks)
    tally = Tally(keep_issues=keep_issues, redact=redact)
    with Ledger(job.ledger) as ledger:
        delivery = Delivery(job.out_dir, job.client or "", job.format, columns, ledger, job.day) \
            if building else None
        try:
            for chunk in chunks:
                result = validate(chunk, job.profile, options, today=job.today, duplicates=duplicates,
                                  earlier=_earlier(ledger, chunk))
                tally.add_result(result)
                if delivery is not None:
                    delivery.write(result.accepted, _identifiers(result.accepted))
                    delivery.reject(result.rejected, REASONS)
                if progress:
                    progress(len(chunk))
            tally.add_issues(issues_frame(header_issues))  # after the loop: readers may add late ones
            if delivery is None:
                return Outcome(tally)
            if job.strict and tally.rejected:
                delivery.abort()
                return Outcome(tally, strict_refused=True)
            written = delivery.commit()
            return Outcome(tally, written, delivery.reservation.name if delivery.reservation else None)
        except BaseException:
            if delivery is not None:
                delivery.abort()
            raise


def _duplicates_across_chunks(job: Job, chunks: Iterator[pd.DataFrame]
                              ) -> tuple[Iterator[pd.DataFrame], dict[str, list[int]] | None]:
    """When the input spans several chunks, a first pass finds identifiers shared across them."""
    first = next(chunks, None)
    second = next(chunks, None)
    if first is None:
        return iter(()), None
    if second is None:
        return iter([first]), None  # one chunk: validate finds duplicates within it
    unique = [f.column for f in _registry.default().fields if f.unique]
    seen: list[pd.Series] = []
    *_, again = iter_load(job.source, job.mapping, job.sheet, encoding=job.encoding,
                                delimiter=job.delimiter, chunk_rows=job.chunk_rows)
    for chunk in again:
        for column in unique:
            if column in chunk:
                values = chunk[column]
                seen.append(values[values != ""])
    if not seen:
        return itertools.chain([first, second], chunks), {}
    every = pd.concat(seen)
    shared = every[every.duplicated(keep=False)]
    duplicates = {str(k): [int(r) for r in v] for k, v in shared.groupby(shared, sort=False).groups.items()}
    return itertools.chain([first, second], chunks), duplicates


def _earlier(ledger: Ledger, chunk: pd.DataFrame) -> dict[str, str]:
    return ledger.delivered_before(_identifiers(chunk))


def _identifiers(frame: pd.DataFrame) -> list[str]:
    columns = [f.column for f in _registry.default().fields if f.unique and f.column in frame]
    return [v for c in columns for v in frame[c].tolist() if v]
