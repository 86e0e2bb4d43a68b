"""What tests/hostile and tools/campaign.py share: hostile inputs, running a build, judging what it left.

A *case* is some bytes saved under one extension and built with the command line
(``alphaimport build FILE --client C --out-dir D ...``). :func:`run_inprocess` runs it through
:func:`alphaimport.cli.main` with a time limit, :func:`run_subprocess` as a user's shell would.
:func:`judge` says what went wrong, if anything, as counts the campaign can add up:

* ``traceback``: a Python traceback, an ``internal error`` line, an exception escaping ``main``, an
  exit status other than 0, 1 or 2, or a stderr that is not one ``alphaimport: error: ...`` line;
* ``hang``: the case ran past its time limit;
* ``partial``: a failed run (exit 2) left a delivery or rejects file, any run left a ``.part`` file,
  or a file a successful run wrote is not complete (an independent reader disagrees, or its record
  count is not what the summary says);
* ``leak``: a byte of ``/etc/passwd`` (or any secret given) shows in stdout, stderr or any file written.
"""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import faulthandler
import io
import os
import re
import signal
import subprocess
import sys
import time
import traceback
import zipfile
from pathlib import Path
from typing import Callable, Iterator, Sequence

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
XSD = REPO / "schemas" / "annabel.xsd"
EXTENSIONS = (".csv", ".xlsx", ".xls", ".ods", ".xml", ".json")
OUTPUT_FORMATS = ("csv", "xml", "xlsx", "ods")
DELIVERY_SUFFIXES = (".csv", ".xml", ".xlsx", ".ods")
DAY = "20261122"
CLIENT = "1001"
PROFILES = (("sms", ""), ("voice", ""), ("mail", ""), ("sms", "paylink"), ("voice,sms,mail", "paylink,emandate"))

#: every input fixture (generators and mapping files included: bytes are bytes)
ALL_FIXTURES = tuple(sorted(p for p in FIXTURES.iterdir() if p.is_file() and not p.name.startswith(".")))

_WROTE = re.compile(r"^wrote\s+(.+)$", re.MULTILINE)
_COUNT = re.compile(r"^(accepted|rejected)\s+(\d+)\s*$", re.MULTILINE)
_ERROR_LINE = re.compile(r"alphaimport: error: [^\n]+\n")


def passwd_markers() -> tuple[str, ...]:
    """Strings that only a read of /etc/passwd could put into an output: its lines, and root's entry."""
    markers = {"root:x:0:0"}
    try:
        lines = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        lines = []
    markers.update(line for line in lines if len(line) >= 16 and line.count(":") >= 6)
    return tuple(sorted(markers))


PASSWD = passwd_markers()


# -- running a case -----------------------------------------------------------------------------------

@dataclasses.dataclass
class Run:
    """What one command did."""

    code: int | None
    out: str
    err: str
    seconds: float
    timed_out: bool = False
    escaped: str = ""  # an exception that got out of main(), with its traceback


class CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException so that main()'s `except Exception` cannot swallow it."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """CaseTimeout after ``seconds`` (Python code); the process is ended with a stack dump after 4x
    that, so that a hang inside C code (lxml, calamine, pyarrow) fails the run instead of blocking it."""
    def alarm(signum: int, frame: object) -> None:
        raise CaseTimeout(f"over {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    faulthandler.dump_traceback_later(max(4 * seconds, 30), exit=True)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        faulthandler.cancel_dump_traceback_later()


def run_inprocess(argv: Sequence[str], timeout: float = 20.0) -> Run:
    """``alphaimport ARGV`` through cli.main in this process, stdout and stderr captured."""
    from alphaimport.cli import main

    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    code: int | None = None
    timed_out, escaped = False, ""
    try:
        with time_limit(timeout), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(argv))
    except CaseTimeout:
        timed_out = True
    except BaseException:  # noqa: BLE001 - whatever escapes main() is the finding
        escaped = traceback.format_exc()
    return Run(code, out.getvalue(), err.getvalue(), time.monotonic() - start, timed_out, escaped)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no ALPHAIMPORT_DEBUG, no inherited ledger."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ALPHAIMPORT_")}
    env.update(extra)
    return env


def run_subprocess(argv: Sequence[str], timeout: float = 60.0, env: dict[str, str] | None = None,
                   preexec_fn: Callable[[], None] | None = None) -> Run:
    """``python -m alphaimport ARGV`` as a separate process, killed at the time limit."""
    start = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "alphaimport", *argv], capture_output=True, timeout=timeout,
                              env=env or clean_env(), cwd=str(REPO), preexec_fn=preexec_fn)
    except subprocess.TimeoutExpired as exc:
        return Run(None, _text(exc.stdout), _text(exc.stderr), time.monotonic() - start, timed_out=True)
    return Run(done.returncode, _text(done.stdout), _text(done.stderr), time.monotonic() - start)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data if isinstance(data, str) else data.decode("utf-8", "backslashreplace")


def build_argv(source: Path, out_dir: Path, ledger: Path, fmt: str = "csv", profile: tuple[str, str] = ("sms", ""),
               *extra: str) -> list[str]:
    """The argv of one build of ``source`` into ``out_dir``."""
    media, services = profile
    argv = ["build", str(source), "--client", CLIENT, "--out-dir", str(out_dir), "--ledger", str(ledger),
            "--date", DAY, "--format", fmt, "--quiet", "--media", media]
    if services:
        argv += ["--services", services]
    return argv + list(extra)


# -- judging what a run left ----------------------------------------------------------------------------

@dataclasses.dataclass
class Verdict:
    """The problems of one case (empty lists: none)."""

    traceback: list[str] = dataclasses.field(default_factory=list)
    hang: list[str] = dataclasses.field(default_factory=list)
    partial: list[str] = dataclasses.field(default_factory=list)
    leak: list[str] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.traceback or self.hang or self.partial or self.leak)

    def explain(self) -> str:
        return "; ".join(f"{kind}: {' | '.join(found)}" for kind in ("traceback", "hang", "partial", "leak")
                         if (found := getattr(self, kind)))


def judge(run: Run, out_dir: Path, secrets: Sequence[str] = PASSWD, time_budget: float | None = None,
          extra_files: Sequence[Path] = ()) -> Verdict:
    """Everything wrong with one run of ``build`` into ``out_dir`` (see the module docstring)."""
    v = Verdict()
    if run.timed_out or (time_budget is not None and run.seconds > time_budget):
        v.hang.append(f"ran {run.seconds:.1f} s")
    if run.escaped:
        v.traceback.append("exception escaped main(): " + run.escaped.strip().splitlines()[-1])
    if "Traceback (most recent call last)" in run.err or "Traceback (most recent call last)" in run.out:
        v.traceback.append("a traceback was printed")
    if "internal error" in run.err:
        v.traceback.append(run.err.strip()[:300])
    if run.code not in (0, 1, 2) and not run.timed_out:
        v.traceback.append(f"exit status {run.code}")
    if run.code == 2 and not _ERROR_LINE.fullmatch(run.err):
        v.traceback.append(f"exit 2 without one error line: {run.err[:300]!r}")
    if run.code in (0, 1) and run.err.strip():
        v.traceback.append(f"stderr on success: {run.err[:300]!r}")

    files = sorted(out_dir.iterdir()) if out_dir.is_dir() else []
    v.partial += [f"temporary file left: {p.name}" for p in files if p.name.endswith(".part")]
    outputs = [p for p in files if not p.name.endswith(".part")]
    if run.code in (0, 1):
        v.partial += check_outputs(run, outputs)
    else:
        v.partial += [f"failed run left {p.name}" for p in outputs if p.suffix in DELIVERY_SUFFIXES]

    texts = [("stdout", run.out), ("stderr", run.err)]
    texts += [(p.name, p.read_bytes().decode("utf-8", "replace")) for p in [*outputs, *extra_files]
              if p.is_file() and p.stat().st_size < 64 << 20]
    texts += [(f"{p.name} (unzipped)", t) for p in outputs if zipfile.is_zipfile(p) for t in _unzipped(p)]
    for where, text in texts:
        found = [s for s in secrets if s and s in text]
        if found:
            v.leak.append(f"{where} holds {found[0][:40]!r}")
    return v


def _unzipped(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as archive:
            return [archive.read(n).decode("utf-8", "replace") for n in archive.namelist()]
    except (zipfile.BadZipFile, OSError, EOFError):
        return []


def summary_counts(out: str) -> dict[str, int]:
    """accepted / rejected as the printed summary says."""
    return {k: int(n) for k, n in _COUNT.findall(out)}


def check_outputs(run: Run, outputs: list[Path]) -> list[str]:
    """Problems with the files of a successful build: each announced, complete, and counted right."""
    problems = []
    announced = {Path(p.strip()).name for p in _WROTE.findall(run.out)}
    counts = summary_counts(run.out)
    for path in outputs:
        if path.name not in announced:
            problems.append(f"{path.name} was written but not announced")
            continue
        try:
            records = count_records(path)
        except Exception as exc:  # noqa: BLE001 - an independent reader refusing it is the finding
            problems.append(f"{path.name} is not complete: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        expected = counts.get("rejected" if path.name.endswith(".rejects.csv") else "accepted")
        if expected is not None and records != expected:
            problems.append(f"{path.name} holds {records} records, the summary says {expected}")
    missing = announced - {p.name for p in outputs}
    problems += [f"{name} announced but missing" for name in sorted(missing)]
    return problems


def count_records(path: Path) -> int:
    """Records in a delivery or rejects file, read by a reader independent of alphaimport's own;
    raises when the file is not complete."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _csv_records(path)
    if suffix == ".xml":
        return _xml_records(path)
    if suffix == ".xlsx":
        return _xlsx_records(path)
    if suffix == ".ods":
        return _ods_records(path)
    raise ValueError(f"not an output: {path.name}")


def _csv_records(path: Path) -> int:
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        raise ValueError("the last record has no line end (cut short?)")
    text = data.decode("utf-8")  # strict: UTF-8 without BOM
    if text.startswith("\ufeff"):
        raise ValueError("starts with a BOM")
    csv.field_size_limit(1 << 30)  # a rejects file keeps a 10 MB value as it came
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True))
    header = rows[0]
    if not header or any(not re.fullmatch(r"[A-Z0-9_]+|row|reasons", h) for h in header):
        raise ValueError(f"not a delivery header: {header[:5]}")
    ragged = [i for i, r in enumerate(rows) if len(r) != len(header)]
    if ragged:
        raise ValueError(f"record {ragged[0]} has a different number of fields than the header")
    if not all(line.startswith('"') for line in _physical_records(text)):
        raise ValueError("a field is not enclosed in quotes")
    return len(rows) - 1


def _physical_records(text: str) -> Iterator[str]:
    """Each record's first characters (records split on LF outside quotes)."""
    start, quoted = 0, False
    for position, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "\n" and not quoted:
            yield text[start:position + 1]
            start = position + 1


_XSD_SCHEMA = None


def _xml_records(path: Path) -> int:
    from lxml import etree

    global _XSD_SCHEMA
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    tree = etree.parse(str(path), parser)
    if _XSD_SCHEMA is None:
        _XSD_SCHEMA = etree.XMLSchema(etree.parse(str(XSD)))
    _XSD_SCHEMA.assertValid(tree)
    return len(tree.getroot())


def _xlsx_records(path: Path) -> int:
    import openpyxl

    with zipfile.ZipFile(path) as archive:
        bad = archive.testzip()
        if bad:
            raise ValueError(f"part {bad} fails its CRC")
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        sheet = book.worksheets[0]
        rows = [r for r in sheet.iter_rows(values_only=True)]
        if any(v is not None and not isinstance(v, str) for r in rows for v in r):
            raise ValueError("a cell is not text")  # every cell of a delivery is a text cell
        return len(rows) - 1
    finally:
        book.close()


def _ods_records(path: Path) -> int:
    from lxml import etree

    with zipfile.ZipFile(path) as archive:
        bad = archive.testzip()
        if bad:
            raise ValueError(f"part {bad} fails its CRC")
        if archive.read("mimetype") != b"application/vnd.oasis.opendocument.spreadsheet":
            raise ValueError("wrong mimetype")
        content = etree.fromstring(archive.read("content.xml"), etree.XMLParser(resolve_entities=False,
                                                                                huge_tree=True))
    table = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
    rows = content.findall(f".//{table}table-row")
    return len(rows) - 1
