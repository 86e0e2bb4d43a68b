"""The pipeline: read -> map -> normalise -> validate -> write, chunk by chunk, for both commands."""
from __future__ import annotations

import collections
import concurrent.futures
import contextlib
import ctypes
import datetime as dt
import gc
import itertools
import multiprocessing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from alphaimport import registry as _registry
from alphaimport.deliver import Delivery, check_client, check_day
from alphaimport.duplicates import Repeats
from alphaimport.errors import OptionError
from alphaimport.issues import frame as issues_frame
from alphaimport.ledger import Ledger
from alphaimport.normalise import Options, first_amount_in_euros
from alphaimport.profile import Profile
from alphaimport.read import iter_load
from alphaimport.report import Tally
from alphaimport.spool import Spool
from alphaimport.validate import REASONS, Result, delivered_identifiers, identifiers, options_for, validate

CHUNK_ROWS = 20_000  # records per chunk: the working set of validate is ~10 KB a record (26 columns)
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
    workers: int = 1  # processes judging chunks; the output does not depend on it


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
    with _worker_pool(job.workers) as pool, _SpoolingLedger(job.ledger) as ledger:
        columns, mapping, header_issues, chunks = iter_load(
            job.source, job.mapping, job.sheet, encoding=job.encoding, delimiter=job.delimiter,
            chunk_rows=job.chunk_rows)
        options = options_for(job.profile, mapping, job.phone_countries)
        chunks, repeats, options = _across_chunks(job, chunks, options)
        tally = Tally(keep_issues=keep_issues, redact=redact)
        delivery = Delivery(job.out_dir, job.client or "", job.format, columns, ledger, job.day) \
            if building else None
        try:
            tasks = (_task(chunk, job, options, keep_issues, repeats, ledger) for chunk in chunks)
            for records, result in _verdicts(tasks, pool if repeats is not None else None, job.workers):
                tally.add_result(result)
                if delivery is not None:
                    delivery.write(result.accepted)
                    ledger.spool.add(identifiers(result.accepted))  # recorded by delivery.commit()
                    delivery.reject(result.rejected, REASONS)
                if progress:
                    progress(records)
                del result
                _give_back_memory()
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


@dataclass(frozen=True)
class _Task:
    """One chunk to judge, with everything validate needs from the whole run."""

    chunk: pd.DataFrame
    profile: Profile
    options: Options
    today: dt.date
    info: bool
    duplicates: dict[str, list[int]] | None
    earlier: dict[str, str]

    def __call__(self) -> Result:
        return validate(self.chunk, self.profile, self.options, today=self.today, duplicates=self.duplicates,
                        earlier=self.earlier, info=self.info)


def _task(chunk: pd.DataFrame, job: Job, options: Options, info: bool, repeats: Repeats | None,
          ledger: Ledger) -> _Task:
    """The task of one chunk: its identifiers as delivered (normalised) are looked up among those other
    chunks hold and among those delivered before."""
    delivered = delivered_identifiers(chunk, options)
    return _Task(chunk, job.profile, options, job.today or dt.date.today(), info,
                 repeats.within(delivered) if repeats is not None else None, _earlier(ledger, delivered))


def _judge(task: _Task) -> Result:
    """The worker's function (module level, so a pool can name it)."""
    result = task()
    _give_back_memory()
    return result


@contextlib.contextmanager
def _worker_pool(workers: int) -> Iterator[Any]:
    """``workers - 1`` forked processes (None for one), which judge chunks beside this one: forked first,
    before any input is read, so they share the imported modules rather than copies of its reading buffers.

    A ProcessPoolExecutor, not a multiprocessing.Pool: when the run stops on an error, or a worker dies,
    Pool.terminate can wait forever on a task it is still sending (a chunk is larger than a pipe holds);
    the executor fails the pending verdicts (BrokenProcessPool) and its shutdown waits only for the chunks
    being judged."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    from alphaimport import schema  # noqa: F401  (imported once, before the fork, for every worker)

    gc.freeze()  # the cycle collector would write to every object, copying the forked processes' pages
    pool = concurrent.futures.ProcessPoolExecutor(workers - 1, mp_context=multiprocessing.get_context("fork"))
    try:
        pool.submit(int).result()  # the processes are forked now, at the first task
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        gc.unfreeze()


def _verdicts(tasks: Iterator[_Task], pool: Any, workers: int) -> Iterator[tuple[int, Result]]:
    """(records in the chunk, its Result) in input order. With a ``pool`` of ``workers - 1`` processes, a
    chunk goes to the pool while it has at most two waiting per process, and is judged here otherwise,
    between reading and writing: this process is one of the workers. At most ``workers + 1`` verdicts are
    pending, so memory stays bounded; the results are the same as one process's (a chunk's verdict depends
    only on its task)."""
    if pool is None:
        for task in tasks:
            yield len(task.chunk), task()
        return
    pending: collections.deque[tuple[int, Result | concurrent.futures.Future]] = collections.deque()
    for task in tasks:
        away = sum(1 for _, verdict in pending if not isinstance(verdict, Result))
        verdict = pool.submit(_judge, task) if away < 2 * (workers - 1) else task()
        pending.append((len(task.chunk), verdict))
        del task  # the pool holds a remote task until it is sent
        while pending and (len(pending) > workers or _ready(pending[0][1])):
            records, verdict = pending.popleft()
            yield records, _result(verdict)
    while pending:
        records, verdict = pending.popleft()
        yield records, _result(verdict)


def _ready(verdict: Result | concurrent.futures.Future) -> bool:
    return isinstance(verdict, Result) or verdict.done()


def _result(verdict: Result | concurrent.futures.Future) -> Result:
    return verdict if isinstance(verdict, Result) else verdict.result()


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return ctypes.CDLL(None).malloc_trim  # glibc
    except (AttributeError, OSError):
        return None


_MALLOC_TRIM = _malloc_trim()


def _give_back_memory() -> None:
    """Return what a chunk freed to the system: glibc's malloc keeps freed heap pages and pyarrow's
    allocator caches its own, so over hundreds of chunks the process would come to hold a chunk's
    working set several times over (on 1,000,000 records: a peak of ~470 MB instead of ~420 MB)."""
    pa.default_memory_pool().release_unused()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _across_chunks(job: Job, chunks: Iterator[pd.DataFrame], options: Options
                   ) -> tuple[Iterator[pd.DataFrame], Repeats | None, Options]:
    """When the input spans several chunks, a first pass reads what a chunk's verdict needs from the
    others: the identifiers shared across them (as delivered: ' 42' and '42' are trimmed alike), and for
    each amount column without a declared unit its first amount in euros (a whole number in another chunk
    is then reported as mixed, as in one frame). One chunk: (chunks, None, options)."""
    first = next(chunks, None)
    second = next(chunks, None)
    if first is None:
        return iter(()), None, options
    if second is None:
        return iter([first]), None, options  # one chunk: validate finds duplicates within it
    fields = _registry.default().fields
    unique = [f.column for f in fields if f.unique]
    unitless = [f.column for f in fields if f.type == "cents" and f.column not in options.units]
    *_, again = iter_load(job.source, job.mapping, job.sheet, encoding=job.encoding,
                          delimiter=job.delimiter, chunk_rows=job.chunk_rows, fields=unique + unitless)
    euros: dict[str, str] = {}

    def identifiers() -> Iterator[pd.DataFrame]:
        for chunk in again:
            for column in unitless:
                if column in chunk and column not in euros:
                    found = first_amount_in_euros(chunk[column].to_numpy(dtype=object))
                    if found is not None:
                        euros[column] = found
            yield delivered_identifiers(chunk, options)

    repeats = Repeats.scan(identifiers(), unique)
    return itertools.chain([first, second], chunks), repeats, replace(options, euros_in_input=euros)


class _SpoolingLedger(Ledger):
    """The ledger, with the run's delivered identifiers spooled to disk and recorded by ``complete``
    (in the delivery's own transaction) rather than held by the Delivery in a list."""

    def __init__(self, path: Path | None) -> None:
        super().__init__(path)
        self.spool = Spool()  # a list of identifiers a chunk

    def complete(self, reservation: Any, path: Path, identifiers: Iterable[str]) -> None:
        spooled = itertools.chain.from_iterable(self.spool.items())  # a chunk's list at a time
        super().complete(reservation, path, itertools.chain(identifiers, spooled))

    def close(self) -> None:
        self.spool.close()
        super().close()


def _earlier(ledger: Ledger, delivered: pd.DataFrame) -> dict[str, str]:
    return ledger.delivered_before(identifiers(delivered))
