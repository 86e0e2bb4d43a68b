"""Summaries and reports: counts and top problems over a whole run, the --report file, and --redact."""
from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator

import numpy as np
import pandas as pd

from alphaimport import registry as _registry
from alphaimport.deliver import is_output_name, temp_path
from alphaimport.errors import OptionError, WriteError
from alphaimport.issues import CODES, COLUMNS, ERROR, INFO, WARNING
from alphaimport.spool import Spool
from alphaimport.validate import Result, joined_by_row, summary

REPORT_FORMATS = (".json", ".csv", ".html")
TOP_PROBLEMS = 10
FIRST_REJECTIONS = 10
MASK = "***"
WRITE_ROWS = 20_000  # issue rows rendered at a time: a report's peak stays below the run's


def redact(issues: pd.DataFrame) -> pd.DataFrame:
    """The issues with the values and messages of personal fields masked; row, field and code kept."""
    names = {f.column for f in _registry.default().fields if f.personal}
    names |= {f.template for f in _registry.default().fields if f.personal}
    personal = issues["field"].isin(names)
    if not personal.any():
        return issues
    masked = issues.copy()
    masked.loc[personal, "value"] = masked.loc[personal, "value"].map(lambda v: MASK if v else v)
    masked.loc[personal, "message"] = masked.loc[personal, "code"].map(
        lambda code: f"{CODES[code].meaning} (value redacted)")
    return masked


class IssueSpool(Spool):
    """Issue frames kept in a spool on disk and read back one at a time.

    A report of a run holds ~7 issue rows a record (most of them ``normalised`` info rows): ~2 GB in
    memory at 100,000 records. Frames are read back with the dtypes ``pd.concat`` of all of them would
    give, so a report written frame by frame is the report of their concatenation, byte for byte.
    """

    def __init__(self) -> None:
        super().__init__()
        self._samples: list[pd.DataFrame] = []  # a few rows of each frame, for the dtypes of the whole

    def add(self, issues: pd.DataFrame) -> None:
        """Append a frame (an empty one is not kept)."""
        if issues.empty:
            return
        super().add(issues)
        self._samples.append(_sample(issues))

    def __iter__(self) -> Iterator[pd.DataFrame]:
        """The frames, each with the dtypes it has in the concatenation of all of them."""
        whole = pd.concat(self._samples, ignore_index=True) if len(self._samples) > 1 else None
        for frame in self.items():
            if whole is not None and (list(frame.columns) != list(whole.columns)
                                      or list(frame.dtypes) != list(whole.dtypes)):
                # concatenated after every frame's sample: pandas picks the dtypes of the whole run
                frame = pd.concat([*self._samples, frame], ignore_index=True).iloc[len(whole):]
            yield frame

    def close(self) -> None:
        """Delete the temporary file."""
        super().close()
        self._samples.clear()


def _sample(frame: pd.DataFrame) -> pd.DataFrame:
    """The first row and, per column, its first non-missing value's row: the dtypes of ``frame`` and
    whether each column is all missing, which is all ``pd.concat`` looks at to choose dtypes."""
    present = frame.notna().to_numpy()
    rows = {0} | {int(at) for at in present.argmax(axis=0)}
    return frame.iloc[sorted(rows)]


@dataclass
class Tally:
    """Counts over all chunks of a run; the issues themselves only when a report needs them."""

    keep_issues: bool = False
    redact: bool = False
    records: int = 0
    rejected: int = 0
    levels: dict[str, int] = field(default_factory=lambda: {ERROR: 0, WARNING: 0, INFO: 0})
    problems: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    kept: IssueSpool = field(default_factory=IssueSpool)  # on disk, not in memory
    first_rejections: list[tuple[int, str]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.records - self.rejected

    def add_result(self, result: Result) -> None:
        """Count one chunk's records and issues."""
        self.records += len(result.accepted) + len(result.rejected)
        self.rejected += len(result.rejected)
        self.add_issues(result.issues, count_info=False)
        self.levels[INFO] += result.summary["normalised"]  # counted even when their rows were not built
        wanted = FIRST_REJECTIONS - len(self.first_rejections)
        if wanted > 0 and len(result.rejected):
            # field and code only: the summary never prints a value (it may be personal data)
            errors = result.issues[result.issues["level"] == ERROR].dropna(subset=["row"])
            first = np.unique(errors["row"].astype(int).to_numpy())[:wanted]
            errors = errors[errors["row"].isin(first)]
            reasons = joined_by_row(errors["row"], errors["field"] + " " + errors["code"], ", ")
            self.first_rejections.extend((int(r), text) for r, text in reasons.items())

    def add_issues(self, issues: pd.DataFrame, count_info: bool = True) -> None:
        """Count issues (mapping and header issues have no record); ``count_info=False``: the caller
        counts the info rows."""
        if issues.empty:
            return
        for level, count in issues["level"].value_counts().items():
            if count_info or level != INFO:
                self.levels[str(level)] = self.levels.get(str(level), 0) + int(count)
        problems = issues[issues["level"] != INFO]
        counts = problems.groupby(["field", "code", "level"], sort=False).size()
        self.problems = counts if self.problems.empty else self.problems.add(counts, fill_value=0).astype("int64")
        if self.keep_issues:
            self.kept.add(redact(issues) if self.redact else issues)

    def summary(self) -> dict[str, Any]:
        """The run's summary as plain data (the --report file's "summary")."""
        return summary(self.records, self.rejected, self.levels, self.problems)

    def issues(self) -> pd.DataFrame:
        """Every kept issue, in one frame (all in memory: for tests and small inputs; a report is
        written from :attr:`kept` frame by frame)."""
        if not len(self.kept):
            return pd.DataFrame(columns=list(COLUMNS))
        return pd.concat(list(self.kept.items()), ignore_index=True)

    def close(self) -> None:
        """Delete the kept issues' temporary file."""
        self.kept.close()


def check_report_path(path: Path, others: dict[str, Path | str | None] | None = None) -> Path:
    """The file the report will be written to (``path`` with symbolic links resolved), or OptionError
    when the report may not be written there, WriteError when it cannot be. Its folder is made when
    missing, as build makes --out-dir (``--report out/report.json``).

    Checked before anything is read or built: a build must not deliver and then fail on its report. A
    report is never written over a file the run reads or writes (``others``: {"the input file": path,
    ...}), never takes the name of a delivery or rejects file (the build's own may not exist yet), and
    replaces an existing file only when that file is a report (:func:`is_report`).
    """
    if path.suffix.lower() not in REPORT_FORMATS:
        raise OptionError(f"--report {path}: use a .json, .csv or .html file name")
    target = _resolved(path)
    for what, other in (others or {}).items():
        if other is not None and _same_file(target, Path(other)):
            raise OptionError(f"--report {path} is {what}: a report is never written over it")
    if is_output_name(path.name) or is_output_name(target.name):
        raise OptionError(f"--report {path}: a report never takes the name of a delivery or rejects file "
                          "(YYYYMMDD-CLIENT-N.csv, YYYYMMDD-CLIENT-N.rejects.csv)")
    if os.path.lexists(target) and not is_report(target, path.suffix):
        raise OptionError(f"--report {path} already exists and is not an alphaimport report: it is never "
                          "overwritten (remove it or choose another name)")
    try:
        if os.path.lexists(target) and not os.access(target, os.W_OK):  # a report its owner made read-only
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        target.parent.mkdir(parents=True, exist_ok=True)
        probe = temp_path(target)
        with open(probe, "w", encoding="utf-8"):
            pass
        probe.unlink()
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        reason = getattr(exc, "strerror", None) or str(exc)
        raise WriteError(f"cannot write the report {str(path)!r}: {reason}") from None
    return target


def is_report(path: Path, suffix: str | None = None) -> bool:
    """Whether ``path`` is a regular file that begins as every report of its extension (or ``suffix``)
    begins: the only existing file a report replaces is the report of an earlier run."""
    head = _HEADS.get((path.suffix if suffix is None else suffix).lower())
    try:
        if head is None or not stat.S_ISREG(os.stat(path).st_mode):
            return False
        with open(path, "rb") as handle:
            return handle.read(len(head)) == head
    except (OSError, ValueError):
        return False


#: how every report of each format begins (see _write_json, write_report's CSV, _write_html)
_HEADS = {
    ".json": b'{\n "summary": {',
    ".csv": (",".join(COLUMNS) + "\n").encode("utf-8"),
    ".html": b"<!doctype html><meta charset=utf-8><title>alphaimport report</title>",
}


def _resolved(path: Path) -> Path:
    """``path`` with symbolic links resolved: a link to a report updates that report; the checks see
    the file that is written."""
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return path


def _same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file: the same resolved path, or the same file (a hard link)."""
    if _resolved(a) == _resolved(b):
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):  # either is missing: not one existing file
        return False


def write_report(path: Path, summary: dict[str, Any], issues: pd.DataFrame | Iterable[pd.DataFrame]) -> None:
    """Write the issues and summary as JSON ({"summary", "issues"}), CSV (the issues) or HTML.

    ``issues``: one frame, or frames (a :class:`IssueSpool`) written one after the other without ever
    being concatenated; the file is the same as for their concatenation.

    Written to a temporary file beside it, then put in place at once: a file of that name that is not a
    report (a delivery, the input) is never replaced (WriteError); a report is, keeping its permissions.
    A failed write leaves the earlier report as it was.
    """
    target = _resolved(Path(path))
    suffix = Path(path).suffix.lower()
    temp = temp_path(target)
    tables = _tables([issues] if isinstance(issues, pd.DataFrame) else issues)
    try:
        try:
            if suffix == ".json":
                with open(temp, "w", encoding="utf-8") as out:
                    _write_json(out, summary, tables)
                    _flush(out)
            elif suffix == ".csv":
                with open(temp, "w", encoding="utf-8", newline="") as out:
                    for at, table in enumerate(tables):
                        table.to_csv(out, index=False, header=at == 0, lineterminator="\n")
                    _flush(out)
            else:
                with open(temp, "w", encoding="utf-8") as out:
                    _write_html(out, summary, tables)
                    _flush(out)
        except OSError as exc:
            raise WriteError(f"cannot write the report {path}: {exc.strerror or exc}") from exc
        _put_in_place(temp, target, path, suffix)
    finally:
        temp.unlink(missing_ok=True)


def _flush(out: IO[str]) -> None:
    """Write ``out`` through to the disk before it is put in place."""
    out.flush()
    os.fsync(out.fileno())


def _put_in_place(temp: Path, target: Path, path: Path, suffix: str) -> None:
    """Give ``temp`` the name ``target``: linked when no file has it (fails rather than replace one that
    appeared meanwhile), or renamed over an existing report (with that report's permissions)."""
    try:
        os.link(temp, target)
        return
    except FileExistsError:
        pass
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise WriteError(f"cannot write the report {path}: {exc.strerror or exc}") from exc
        try:  # a file system without hard links: claim the name (only when free), then rename onto it
            os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            pass
        except OSError as exc2:
            raise WriteError(f"cannot write the report {path}: {exc2.strerror or exc2}") from exc2
        else:
            try:
                os.replace(temp, target)
            except BaseException as exc3:
                target.unlink(missing_ok=True)  # the empty file this run made to claim the name
                if isinstance(exc3, OSError):
                    raise WriteError(f"cannot write the report {path}: {exc3.strerror or exc3}") from exc3
                raise
            return
    if not is_report(target, suffix):
        raise WriteError(f"cannot write the report {path}: {target} exists and is not an alphaimport report; "
                         "it was not overwritten")
    if not os.access(target, os.W_OK):  # a report its owner made read-only is not replaced either
        raise WriteError(f"cannot write the report {path}: {os.strerror(errno.EACCES)}")
    try:
        os.chmod(temp, stat.S_IMODE(os.stat(target).st_mode))
        os.replace(temp, target)
    except OSError as exc:
        raise WriteError(f"cannot write the report {path}: {exc.strerror or exc}") from exc


#: os.link's errors on a file system that has no hard links (FAT, some network shares)
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS}


def _tables(frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The report's columns as objects (missing values None), at most WRITE_ROWS rows at a time; at
    least one table, empty when there are no issues (it still gives the header)."""
    empty = True
    for frame in frames:
        columns = frame[list(COLUMNS)]
        for start in range(0, len(columns), WRITE_ROWS):
            part = columns.iloc[start:start + WRITE_ROWS]
            empty = False
            yield part.astype(object).where(part.notna(), None)
    if empty:
        yield pd.DataFrame(columns=list(COLUMNS), dtype=object)


_JSON = {"ensure_ascii": False, "indent": 1, "default": int}


def _write_json(out: IO[str], summary: dict[str, Any], tables: Iterable[pd.DataFrame]) -> None:
    """json.dumps({"summary": summary, "issues": rows}, indent=1) + newline, written table by table."""
    head = json.dumps({"summary": summary, "issues": []}, **_JSON)
    out.write(head.removesuffix("[]\n}"))  # "issues" is the last key: the text ends with its list
    first = True
    for table in tables:
        if len(table):
            rows = json.dumps(table.to_dict(orient="records"), **_JSON)  # "[\n {...},\n {...}\n]"
            out.write(("[" if first else ",") + rows[1:-2].replace("\n", "\n "))  # one level deeper
            first = False
    out.write("[]\n}\n" if first else "\n ]\n}\n")


def _write_html(out: IO[str], summary: dict[str, Any], tables: Iterable[pd.DataFrame]) -> None:
    """The summary's counts, then one table of the issues (pandas' to_html), written table by table."""
    head = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in summary.items() if k != "top_problems")
    out.write(f"<!doctype html><meta charset=utf-8><title>alphaimport report</title><table>{head}</table>")
    end = "  </tbody>\n</table>"
    for at, table in enumerate(tables):
        html = table.to_html(index=False, escape=True, na_rep="")
        rows = html[:html.rindex(end)]
        out.write(rows if at == 0 else rows[rows.index("<tbody>\n") + len("<tbody>\n"):])
    out.write(end + "\n")


def render_summary(summary: dict[str, Any], first_rejections: list[tuple[int, str]]) -> str:
    """The human summary printed after validate and build."""
    lines = [
        f"records read  {summary['records']:>9}",
        f"accepted      {summary['accepted']:>9}",
        f"rejected      {summary['rejected']:>9}",
        f"warnings      {summary['warnings']:>9}",
        f"normalised    {summary['normalised']:>9} values (info)",
    ]
    if summary["top_problems"]:
        lines += ["", "top problems:", f"  {'field':<32} {'code':<30} {'level':<8} {'count':>7}"]
        lines += [f"  {p['field']:<32} {p['code']:<30} {p['level']:<8} {p['count']:>7}"
                  for p in summary["top_problems"]]
    if first_rejections:
        lines += ["", "first rejected records:"]
        lines += [f"  row {row}: {reasons}" for row, reasons in first_rejections]
    return "\n".join(lines) + "\n"
