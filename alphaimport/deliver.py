"""Write a delivery: a unique name from the ledger, a temporary file linked into place (never an
existing file overwritten, never a partial file under a delivery name), and the rejects file beside it."""
from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from types import TracebackType
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from alphaimport import formats
from alphaimport.errors import LedgerError, OptionError, WriteError
from alphaimport.formats.cells import kind
from alphaimport.ledger import Ledger, Reservation

#: a client code is a file-name part: letters and digits only (no '/', '..', NUL or spaces)
CLIENT_PATTERN = re.compile(r"[A-Za-z0-9]{1,32}")
REJECTS_SUFFIX = ".rejects.csv"
ROW = "row"
_PART = ".part"
#: the name of a delivery or rejects file, in any case (a file system may not tell .csv from .CSV)
_OUTPUT_NAME = re.compile(r"[0-9]{8}-[A-Za-z0-9]{1,32}-[0-9]+\.(?:rejects\.csv|csv|xml|xlsx|ods)", re.IGNORECASE)
#: the temporary name of a file being written: .20261122-1001-3.csv.<pid>.part (see temp_path)
_PART_NAME = re.compile(r"\.([0-9]{8}-[A-Za-z0-9]{1,32}-[0-9]+\.[a-z.]+)\.([0-9]{1,10})\.part")


def check_client(client: str) -> str:
    """The client code, or OptionError when it is not 1-32 letters and digits."""
    if not isinstance(client, str) or not CLIENT_PATTERN.fullmatch(client):
        raise OptionError(f"client code {client!r} must be 1 to 32 letters and digits (it becomes part of "
                          "the file name)")
    return client


def check_day(day: str | None) -> str:
    """YYYYMMDD of ``day`` (today when None); OptionError for anything that is not a real date."""
    if day is None:
        return dt.date.today().strftime("%Y%m%d")
    try:
        if not re.fullmatch(r"[0-9]{8}", day):
            raise ValueError
        dt.datetime.strptime(day, "%Y%m%d")
    except ValueError:
        raise OptionError(f"--date {day!r} is not a date as YYYYMMDD (e.g. 20261122)") from None
    return day


class Delivery:
    """One delivery being written: ``write`` accepted chunks, ``reject`` rejected ones, then ``commit``.

    Leaving the ``with`` block without commit (an error, an interrupt) removes the temporary files and
    marks the name failed in the ledger: the name is never reused, no partial file is left.
    """

    def __init__(self, out_dir: Path | str, client: str, fmt: str, columns: list[str], ledger: Ledger,
                 day: str | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.columns = columns
        self.format = fmt
        self._ledger = ledger
        self._writer_class = formats.writer(fmt)
        self._extension = formats.module(fmt).EXTENSIONS[0].lstrip(".")
        self._day, self._client = check_day(day), check_client(client)
        _ensure_directory(self.out_dir)
        remove_stale_parts(self.out_dir)
        self.reservation: Reservation | None = None  # reserved with the first record: no record, no name
        self._writer: Any = None
        self._rejects: Any = None
        self.accepted = self.rejected = 0
        self._identifiers: list[str] = []

    @property
    def path(self) -> Path:
        """The delivery file's final path (a name is reserved when the first record is written)."""
        return self.out_dir / self._reserve().name

    @property
    def rejects_path(self) -> Path:
        """The rejects file's final path, beside the delivery."""
        return self.out_dir / _rejects_name(self._reserve().name)

    def _reserve(self) -> Reservation:
        if self.reservation is None:
            # a number is taken when any file of its stem exists: 20261122-1001-2.rejects.csv (or .xml)
            # takes 20261122-1001-2.csv, whose rejects file would collide with it
            taken = {f"{_stem(p.name)}.{self._extension}" for p in self.out_dir.iterdir()}
            self.reservation = self._ledger.reserve(self._day, self._client, self._extension, taken=taken)
        return self.reservation

    def __enter__(self) -> Delivery:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if kind is not None:
            self.abort()

    def write(self, accepted: pd.DataFrame, identifiers: Iterable[str] = ()) -> None:
        """Append accepted records (canonical columns) to the delivery."""
        if accepted.empty:
            return
        table = writable(accepted, self.columns)  # before a name is reserved or a file made
        temp = temp_path(self.path)
        if self._writer is None:
            self._writer = _guarded(lambda: self._writer_class(temp, self.columns), temp)
        _guarded(lambda: self._writer.write(table), temp)
        self.accepted += len(accepted)
        self._identifiers.extend(identifiers)

    def reject(self, rejected: pd.DataFrame, reasons_column: str) -> None:
        """Append rejected records (original values, their source row and reasons) to the rejects file."""
        if rejected.empty:
            return
        columns = [ROW, *self.columns, reasons_column]
        temp = temp_path(self.rejects_path)
        if self._rejects is None:
            self._rejects = _guarded(lambda: formats.writer("csv")(temp, columns), temp)
        table = rejected.reset_index(names=ROW)
        table[ROW] = table[ROW].astype(str)
        _guarded(lambda: self._rejects.write(table.reindex(columns=columns, fill_value="")), temp)
        self.rejected += len(rejected)

    def commit(self) -> list[Path]:
        """Finish the files, link them into place and record the delivery; returns the paths written.

        Both files are finished before either is linked, and the delivery is linked last: a build killed
        in between leaves no delivery without its rejects file. When a link or the ledger fails, the
        files this commit linked are removed again: a build that fails leaves no delivery behind.
        """
        if self.reservation is None:
            return []  # no record: no file, no name
        written = []
        for writer, final in ((self._writer, self.path), (self._rejects, self.rejects_path)):
            if writer is None:
                continue
            temp = temp_path(final)
            _guarded(writer.close, temp)
            _fsync(temp)
            written.append(final)
        linked: list[Path] = []
        try:
            for final in reversed(written):
                _link_into_place(temp_path(final), final)
                linked.append(final)
            _fsync_directory(self.out_dir)
            self._ledger.complete(self.reservation, self.path if self._writer else self.rejects_path,
                                  self._identifiers)
        except BaseException:
            for final in linked:
                final.unlink(missing_ok=True)
            raise
        self._writer = self._rejects = None
        return written

    def abort(self) -> None:
        """Remove the temporary files and mark the reserved name failed."""
        if self.reservation is None:
            return
        for writer, final in ((self._writer, self.path), (self._rejects, self.rejects_path)):
            if writer is not None:
                try:
                    writer.close()
                except Exception:  # the file is removed anyway
                    pass
            temp_path(final).unlink(missing_ok=True)
        self._writer = self._rejects = None
        try:
            self._ledger.fail(self.reservation)
        except LedgerError:  # the name stays 'reserved', so still never reused; the first error is the news
            pass


def writable(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``frame``'s ``columns`` as every writer gets them: each value a str, a missing one (None, NaN, NA)
    "" (an empty cell), a column the frame lacks all "".

    One rule for every format, applied before anything is written: OptionError when the frame holds a
    column twice, TypeError naming the column, row and type of the first value that is not text (an int,
    a float, bytes: write delivers text, as validate gives it, and does not guess how to show a number).
    """
    labels = frame.columns
    if not labels.is_unique:
        for column in columns:
            count = int((labels == column).sum())
            if count > 1:
                times = "twice" if count == 2 else f"{count} times"
                raise OptionError(f"the frame has the column {column} {times}; keep one")
    data = {c: _text_values(frame[c], c) if c in labels else np.full(len(frame), "", dtype=object)
            for c in columns}
    return pd.DataFrame(data, index=frame.index, columns=list(columns), copy=False)


def _text_values(column: pd.Series, name: str) -> Any:
    """The column's values, all str; TypeError at the first value that is neither text nor missing."""
    if isinstance(column.dtype, pd.StringDtype):  # str or missing: nothing to look at
        return column.fillna("").array if column.hasnans else column.array
    values = column.to_numpy(dtype=object)
    if infer_dtype(values, skipna=False) == "string":  # every value a str (one pass, in C)
        return values
    missing = pd.isna(values)
    for position, (value, absent) in enumerate(zip(values, missing)):
        if not absent and not isinstance(value, str):
            label = _frame_label(column.index, position)
            raise TypeError(f"column {name} row {label} holds {kind(value)}, not a str: every value written "
                            "must be text, as validate gives it")
    values = values.copy()
    values[missing] = ""
    return values


def _frame_label(index: pd.Index, position: int) -> Any:
    """The index label at ``position`` as a message shows it (3, not np.int64(3))."""
    return index[position:position + 1].tolist()[0]


def is_output_name(name: str) -> bool:
    """Whether ``name`` is the name of a delivery or rejects file (20261122-1001-3.csv,
    20261122-1001-3.rejects.csv): a build may write a file of that name."""
    return _OUTPUT_NAME.fullmatch(name) is not None


def _rejects_name(name: str) -> str:
    return name.rsplit(".", 1)[0] + REJECTS_SUFFIX


def _stem(name: str) -> str:
    """20261122-1001-2 of 20261122-1001-2.rejects.csv."""
    return name.split(".", 1)[0]


def temp_path(final: Path) -> Path:
    """The hidden name a file is written under before it is put in place: .NAME.<pid>.part."""
    return final.with_name(f".{final.name}.{os.getpid()}{_PART}")


def remove_stale_parts(directory: Path) -> list[Path]:
    """Remove the temporary files of builds that were killed (their process is gone); returns them.

    Only names this module gives its temporary files are touched, and only when no process of that id
    is running on this machine (a live build's file, or one of another user's, is left alone).
    """
    removed = []
    for path in directory.iterdir():
        found = _PART_NAME.fullmatch(path.name)
        if found is None or _running(int(found.group(2))):
            continue
        try:
            path.unlink()
        except FileNotFoundError:  # another build removed it first
            continue
        except OSError:  # not ours to remove: leave it
            continue
        removed.append(path)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, another user's
        return True
    except (OverflowError, OSError):  # no such process id can exist
        return False
    return pid > 0


def _ensure_directory(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(f"cannot create the output folder {directory}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # a NUL in the path
        raise WriteError(f"cannot create the output folder {str(directory)!r}: {exc}") from None
    if not os.access(directory, os.W_OK | os.X_OK):
        raise WriteError(f"the output folder {directory} is not writable")


def _guarded(action: Any, path: Path) -> Any:
    try:
        return action()
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise WriteError(f"cannot write into {path.parent}: {exc.strerror or exc}") from exc


def _link_into_place(temp: Path, final: Path) -> None:
    """Atomically give ``temp`` its final name; fails rather than overwrite an existing file."""
    try:
        os.link(temp, final)
    except FileExistsError:
        temp.unlink(missing_ok=True)
        raise WriteError(f"{final} already exists; it was not overwritten") from None
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise WriteError(f"cannot write {final}: {exc.strerror or exc}") from exc
    temp.unlink()


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write(frame: pd.DataFrame, out_dir: Path | str, format: str = "csv", client: str = "",
          day: str | None = None, ledger: Path | str | None = None) -> Path:
    """Write accepted records (canonical columns) as one delivery file; returns its path.

    The name ``YYYYMMDD-CLIENT-N.ext`` comes from the ledger, so it is unique over history.
    """
    from alphaimport import registry as _registry

    columns = _registry.default().order(frame.columns)
    if not columns:
        raise OptionError("nothing to write: the frame has no field columns")
    table = writable(frame, columns)  # a frame that cannot be written leaves no ledger, name or file
    with Ledger(ledger) as book:
        with Delivery(out_dir, client, format, columns, book, day) as delivery:
            delivery.write(table, _unique_values(table))
            if delivery.accepted == 0:
                raise OptionError("nothing to write: the frame has no records")
            return delivery.commit()[0]


def _unique_values(frame: pd.DataFrame) -> list[str]:
    from alphaimport import registry as _registry

    return [v for f in _registry.default().fields if f.unique and f.column in frame
            for v in frame[f.column].tolist() if v]
