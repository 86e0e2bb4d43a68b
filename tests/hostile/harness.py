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

import collections
import contextlib
import csv
import dataclasses
import faulthandler
import io
import os
import random
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


# -- hostile inputs ---------------------------------------------------------------------------------------

#: characters that have broken parsers, writers and terminals
NASTY = ("\x00", "\ud800", "\udfff", "\u202e", "\u200f", "\u200b", "\ufeff", "\ufffe", "\uffff", "\r", "\n",
         "\r\n", "\t", '"', "'", ";", ",", "|", "\\", "<", "&", "]]>", "\x1b[31m", "\x7f", "\x85", "\u2028",
         "é", "ß", "İ", "\U0001F600", "\U0001F1F3\U0001F1F1", "e\u0301", "=cmd|' /C calc'!A0", "=1+1",
         "+31612345678", "00123", "1e5", "NaN", "null", "None", "%s%n", "${jndi:ldap://x}", "_x0041_")

CANONICAL_HEADERS = ("IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1", "CONTROL_FLOWID",
                     "INVOICE_AMOUNT", "INVOICE_DUEDATE", "CONTACT_EMAIL_1", "PERSON_GENDER", "ADDRESS_COUNTRY",
                     "identifier", "personFamilyName", "toPhoneNumbers", "flowId", "person_familyname")

ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "utf-16-le", "utf-7", "unicode_escape",
             "ascii", "no-such-codec")


def nasty_text(rnd: random.Random, max_parts: int = 6) -> str:
    """A short string mixing nasty characters with ordinary text."""
    parts = []
    for _ in range(rnd.randint(0, max_parts)):
        kind = rnd.random()
        if kind < 0.5:
            parts.append(rnd.choice(NASTY))
        elif kind < 0.8:
            parts.append("".join(rnd.choice("abcXYZ019 -_.@") for _ in range(rnd.randint(1, 8))))
        else:
            parts.append("".join(chr(rnd.randint(1, 0x2FFF)) for _ in range(rnd.randint(1, 4))))
    return "".join(parts)


def random_header(rnd: random.Random, width: int) -> list[str]:
    """A header row: canonical and API names, near misses, nasty text, blanks and repeats."""
    header = []
    for _ in range(width):
        kind = rnd.random()
        if kind < 0.4:
            header.append(rnd.choice(CANONICAL_HEADERS))
        elif kind < 0.55:
            name = rnd.choice(CANONICAL_HEADERS)
            position = rnd.randrange(len(name))
            header.append(name[:position] + rnd.choice("xX_ ") + name[position + 1:])
        elif kind < 0.65:
            header.append("")
        elif kind < 0.7 and header:
            header.append(rnd.choice(header))
        else:
            header.append(nasty_text(rnd))
    return header


def record_values(rnd: random.Random, width: int) -> list[str]:
    """One record of plausible, odd and nasty values."""
    plausible = ("0612345678", "+31 6 12345678", "31612345678", "Jansen", "1001", "€ 1.234,56", "12345",
                 "31-12-2027", "2027-12-31", "a@b.nl", "M", "vrouw", "NL", "Nederland", "EUR", "ja", "")
    return [rnd.choice(plausible) if rnd.random() < 0.6 else nasty_text(rnd) for _ in range(width)]


def table(rnd: random.Random) -> tuple[list[str], list[list[str]]]:
    """A header and some records."""
    width = rnd.randint(1, 8)
    header = random_header(rnd, width)
    records = [record_values(rnd, width) for _ in range(rnd.randint(0, 6))]
    return header, records


def encode_table(header: list[str], records: list[list[str]], ext: str, rnd: random.Random) -> bytes:
    """The table as the bytes of a file of that extension (text formats keep every nasty character)."""
    if ext == ".json":
        import json

        items = [dict(zip(header, values)) for values in records] or [dict.fromkeys(header, "")]
        text = json.dumps(items, ensure_ascii=rnd.random() < 0.5)
        return text.encode("utf-8", "surrogatepass")
    if ext == ".xml":
        return _xml_table(header, records)
    if ext in (".xlsx", ".ods"):
        return _spreadsheet_table(header, records, ext)
    delimiter = rnd.choice(";,\t|")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=rnd.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
                        lineterminator=rnd.choice(["\n", "\r\n", "\r"]))
    writer.writerow(header)
    writer.writerows(records)
    encoding = rnd.choice(["utf-8", "utf-8-sig", "cp1252", "utf-16"])
    return buffer.getvalue().encode(encoding, "surrogatepass" if encoding.startswith("utf") else "replace")


def _xml_table(header: list[str], records: list[list[str]]) -> bytes:
    from xml.sax.saxutils import escape

    def name(text: str) -> str:
        cleaned = re.sub(r"[^A-Za-z0-9_]", "", text.lower()) or "x"
        return cleaned if not cleaned[0].isdigit() else "n" + cleaned

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<annabel>"]
    for values in records or [[""] * len(header)]:
        lines.append("<record>")
        for head, value in zip(header, values):
            category, _, field = head.partition("_")
            text = escape(value).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
            lines.append(f"<{name(category)}><{name(field)}>{text}</{name(field)}></{name(category)}>")
        lines.append("</record>")
    lines.append("</annabel>")
    return "\n".join(lines).encode("utf-8", "surrogatepass")


_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _spreadsheet_table(header: list[str], records: list[list[str]], ext: str) -> bytes:
    """An XLSX (xlsxwriter) or ODS (odfpy) with these cells; characters XML cannot hold become '?'."""
    import tempfile

    clean = [[_NOT_XML.sub("?", v) for v in row] for row in [header, *records]]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"t{ext}"
        if ext == ".xlsx":
            import xlsxwriter

            book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                                   "strings_to_urls": False})
            sheet = book.add_worksheet()
            for r, row in enumerate(clean):
                for c, value in enumerate(row):
                    sheet.write_string(r, c, value[:32767])
            book.close()
        else:
            from odf.opendocument import OpenDocumentSpreadsheet
            from odf.table import Table, TableCell, TableRow
            from odf.text import P

            document = OpenDocumentSpreadsheet()
            sheet = Table(name="Sheet1")
            for row in clean:
                table_row = TableRow()
                for value in row:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=value))
                    table_row.addElement(cell)
                sheet.addElement(table_row)
            document.spreadsheet.addElement(sheet)
            document.save(str(path))
        return path.read_bytes()


def truncated(data: bytes, rnd: random.Random) -> bytes:
    """The bytes cut short: anywhere, just after the start, or just before the end."""
    if not data:
        return data
    where = rnd.random()
    if where < 0.3:
        cut = rnd.randrange(min(len(data), 64))
    elif where < 0.6:
        cut = len(data) - 1 - rnd.randrange(min(len(data), 64))
    else:
        cut = rnd.randrange(len(data))
    return data[:cut]


def bitflipped(data: bytes, rnd: random.Random) -> bytes:
    """The bytes with 1 to 16 bits flipped, some bytes replaced by interesting ones, or a slice repeated."""
    if not data:
        return bytes([rnd.randrange(256)])
    buffer = bytearray(data)
    for _ in range(rnd.randint(1, 16)):
        position = rnd.randrange(len(buffer))
        kind = rnd.random()
        if kind < 0.6:
            buffer[position] ^= 1 << rnd.randrange(8)
        elif kind < 0.85:
            buffer[position] = rnd.choice([0x00, 0xFF, 0x7F, 0x80, 0x22, 0x3B, 0x0A, 0x0D, 0x3C, 0x26, 0xC3, 0xED])
        else:
            end = min(len(buffer), position + rnd.randint(1, 64))
            buffer[position:position] = buffer[position:end] * rnd.randint(1, 8)
    return bytes(buffer)


def zip_member_mutated(data: bytes, rnd: random.Random) -> bytes:
    """For a zip package: one part's *content* truncated or bit-flipped, the archive rebuilt intact
    (so the mutation reaches the XML parsers instead of stopping at a CRC check)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [(info, archive.read(info)) for info in archive.infolist()]
    except Exception:  # noqa: BLE001 - not a readable zip: mutate the bytes instead
        return bitflipped(data, rnd)
    if not parts:
        return data
    target = rnd.randrange(len(parts))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (info, content) in enumerate(parts):
            if number == target:
                content = truncated(content, rnd) if rnd.random() < 0.3 else bitflipped(content, rnd)
            archive.writestr(info.filename, content)
    return buffer.getvalue()


MAGICS = (b"", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<?xml version='1.0'?>", b"<annabel>",
          b"[", b"{\"rows\": [", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"IDENTIFICATION_IDENTIFIER;",
          b"<!DOCTYPE annabel [", b"<html>")


def random_bytes(rnd: random.Random, size: int | None = None) -> bytes:
    """Random bytes, sometimes after the magic start of a known format."""
    size = rnd.choice([0, 1, 7, 64, 512, 4096]) if size is None else size
    return rnd.choice(MAGICS) + rnd.randbytes(size)


def huge_line(ext: str, megabytes: int = 10) -> bytes:
    """One record whose value is ``megabytes`` MB long, in the given format."""
    value = "x" * (megabytes << 20)
    if ext == ".json":
        return ('[{"identifier": "A1", "personFamilyName": "' + value + '", "flowId": "1001"}]').encode()
    if ext == ".xml":
        return (f"<annabel><record><identification><identifier>A1</identifier></identification>"
                f"<person><familyname>{value}</familyname></person></record></annabel>").encode()
    if ext in (".xlsx", ".ods"):
        return _spreadsheet_table(["IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME"], [["A1", value]], ext)
    return f"IDENTIFICATION_IDENTIFIER;PERSON_FAMILYNAME\nA1;{value}\n".encode()


@dataclasses.dataclass(frozen=True)
class Case:
    """One hostile input: its bytes, the extension it is saved under, how it was made, extra options."""

    kind: str
    ext: str
    data: bytes
    options: tuple[str, ...] = ()
    origin: str = ""

    @property
    def format(self) -> str:
        return self.ext.lstrip(".")


KINDS = ("fixture", "truncated", "bitflip", "zip-part", "random-bytes", "unicode", "random-header", "encoding")


def make_case(kind: str, rnd: random.Random, ext: str | None = None, fixture: Path | None = None) -> Case:
    """One case of a kind; the fixture and the extension are drawn when not given."""
    ext = ext or rnd.choice(EXTENSIONS)
    fixture = fixture or rnd.choice(ALL_FIXTURES)
    if kind == "fixture":
        return Case(kind, ext, fixture.read_bytes(), origin=fixture.name)
    if kind == "truncated":
        return Case(kind, ext, truncated(fixture.read_bytes(), rnd), origin=fixture.name)
    if kind == "bitflip":
        return Case(kind, ext, bitflipped(fixture.read_bytes(), rnd), origin=fixture.name)
    if kind == "zip-part":
        zips = [f for f in ALL_FIXTURES if f.suffix in (".xlsx", ".xlsm", ".ods")]
        source = fixture if fixture.suffix in (".xlsx", ".xlsm", ".ods") else rnd.choice(zips)
        return Case(kind, ext, zip_member_mutated(source.read_bytes(), rnd), origin=source.name)
    if kind == "random-bytes":
        return Case(kind, ext, random_bytes(rnd))
    if kind in ("unicode", "random-header"):
        header, records = table(rnd)
        if kind == "unicode":  # the nasty text in the values, under a header that maps
            header = [rnd.choice(CANONICAL_HEADERS[:9]) for _ in header]
            header = list(dict.fromkeys(header)) + [f"X{i}" for i in range(len(header) - len(set(header)))]
            records = [[nasty_text(rnd) for _ in header] for _ in records or [[]]]
        return Case(kind, ext, encode_table(header, records, ext, rnd))
    if kind == "encoding":
        header, records = table(rnd)
        data = encode_table(header, records, ".csv" if ext not in (".json", ".xml") else ext, rnd)
        return Case(kind, ext, data, options=("--encoding", rnd.choice(ENCODINGS)))
    raise ValueError(f"unknown kind {kind}")


#: cases run in this process, by (extension, kind): the suite prints it, the campaign adds it up
TALLY: collections.Counter = collections.Counter()


def run_case(case: Case, folder: Path, ledger: Path, rnd: random.Random, timeout: float = 20.0,
             subprocess_run: bool = False) -> tuple[Run, Verdict]:
    """Save the case in ``folder`` and build it (format and profile drawn); the run and its verdict."""
    TALLY[(case.ext, case.kind)] += 1
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / f"input{case.ext}"
    source.write_bytes(case.data)
    out_dir = folder / "out"
    argv = build_argv(source, out_dir, ledger, rnd.choice(OUTPUT_FORMATS), rnd.choice(PROFILES), *case.options)
    run = run_subprocess(argv, timeout=timeout * 3) if subprocess_run else run_inprocess(argv, timeout=timeout)
    return run, judge(run, out_dir)


# -- killing builds ---------------------------------------------------------------------------------------

#: moments a child build kills itself at (SIGKILL), besides "random" (the parent kills it after a delay)
KILL_POINTS = ("after-first-write", "before-links", "between-links", "before-ledger", "after-ledger")

_CHILD = """
import os, sys
sys.path.insert(0, {tests!r})
from hostile.harness import arm_kill_point
from alphaimport.cli import main
arm_kill_point(os.environ.get("HOSTILE_KILL_AT", ""))
sys.stdout.write("ready\\n")
sys.stdout.flush()
sys.stdin.readline()
sys.exit(main(sys.argv[1:]))
"""

# A zygote imports alphaimport once, then forks one build per request: the builds it forks are separate
# processes a SIGKILL ends as any other, without paying 0.6 s of imports each.
_ZYGOTE = """
import json, os, sys
sys.path.insert(0, {tests!r})
from hostile.harness import arm_kill_point
from alphaimport.cli import main
import alphaimport.pipeline, alphaimport.report, alphaimport.validate, alphaimport.schema
from alphaimport.formats import csv, json as _json, ods, xls, xlsx, xml
from alphaimport import registry
registry.default()
sys.stdout.write("ready\\n")
sys.stdout.flush()


def redirect(out, err):
    for fd, path in ((1, out), (2, err)):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)


for line in sys.stdin:
    request = json.loads(line)
    if "race" in request:  # fork them all, each waiting at a gate; open the gate once all are there
        gate, opener = os.pipe()
        pids = []
        for argv, out, err in zip(request["race"], request["stdout"], request["stderr"]):
            pid = os.fork()
            if pid == 0:
                os.close(opener)
                redirect(out, err)
                os.read(gate, 1)
                code = 70
                try:
                    code = main(argv)
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            pids.append(pid)
        os.close(gate)
        os.write(opener, b"x" * len(pids))
        os.close(opener)
        codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
        sys.stdout.write(json.dumps({{"codes": codes}}) + "\\n")
        sys.stdout.flush()
        continue
    pid = os.fork()
    if pid == 0:
        redirect(request["stdout"], request["stderr"])
        code = 70
        try:
            arm_kill_point(request["point"])
            code = main(request["argv"])
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    sys.stdout.write(json.dumps({{"pid": pid}}) + "\\n")
    sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(json.dumps({{"code": os.waitstatus_to_exitcode(status)}}) + "\\n")
    sys.stdout.flush()
"""


class Zygote:
    """A process that forks builds on request (see _ZYGOTE); use as a context manager."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        self._count = 0
        self._process = subprocess.Popen([sys.executable, "-c", _ZYGOTE.format(tests=str(REPO / "tests"))],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=clean_env(),
                                         cwd=str(REPO))
        assert self._process.stdout is not None and self._process.stdout.readline() == b"ready\n"

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def race(self, argvs: Sequence[Sequence[str]], timeout: float = 300.0) -> list[Run]:
        """Builds forked together, each waiting at a gate opened once all exist: they start at one moment."""
        import json

        assert self._process.stdin is not None and self._process.stdout is not None
        self._count += 1
        outs = [self.scratch / f"{self._count}-{i}.out" for i in range(len(argvs))]
        errs = [self.scratch / f"{self._count}-{i}.err" for i in range(len(argvs))]
        request = {"race": [list(a) for a in argvs], "stdout": [str(p) for p in outs], "stderr": [str(p) for p in errs]}
        self._process.stdin.write((json.dumps(request) + "\n").encode())
        self._process.stdin.flush()
        codes = json.loads(self._process.stdout.readline())["codes"]
        runs = []
        for code, out, err in zip(codes, outs, errs):
            texts = [p.read_bytes().decode("utf-8", "backslashreplace") if p.exists() else "" for p in (out, err)]
            runs.append(Run(code, texts[0], texts[1], 0.0))
            out.unlink(missing_ok=True)
            err.unlink(missing_ok=True)
        return runs

    def build(self, argv: Sequence[str], point: str = "random", delay: float = 0.0,
              timeout: float = 120.0) -> Killed:
        """One build in a forked process; "random": SIGKILL it ``delay`` s after it started (if still
        running); a named point: it kills itself there."""
        import json
        import select

        assert self._process.stdin is not None and self._process.stdout is not None
        self._count += 1
        out, err = self.scratch / f"{self._count}.out", self.scratch / f"{self._count}.err"
        request = {"argv": list(argv), "point": "" if point == "random" else point, "stdout": str(out),
                   "stderr": str(err)}
        self._process.stdin.write((json.dumps(request) + "\n").encode())
        self._process.stdin.flush()
        pid = json.loads(self._process.stdout.readline())["pid"]
        start = time.monotonic()
        killed = False
        wait = delay if point == "random" else timeout
        ready, _, _ = select.select([self._process.stdout], [], [], wait)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            killed = point == "random"
        code = json.loads(self._process.stdout.readline())["code"]
        seconds = time.monotonic() - start
        killed = killed or code == -signal.SIGKILL
        texts = [path.read_bytes().decode("utf-8", "backslashreplace") if path.exists() else "" for path in (out, err)]
        for path in (out, err):
            path.unlink(missing_ok=True)
        return Killed(point, delay, code, killed, texts[0], texts[1], seconds)


def arm_kill_point(point: str) -> None:
    """In a child build: SIGKILL this process at a named moment of writing the delivery."""
    if not point:
        return
    from alphaimport import deliver
    from alphaimport.ledger import Ledger

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "after-first-write":
        original_write = deliver.Delivery.write

        def write(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            original_write(self, *args, **kwargs)
            die()
        deliver.Delivery.write = write  # type: ignore[method-assign]
    elif point in ("before-links", "between-links"):
        original_link = deliver._link_into_place
        calls = []

        def link(temp: Path, final: Path) -> None:
            calls.append(final)
            if point == "before-links" or len(calls) == 2:
                die()
            original_link(temp, final)
        deliver._link_into_place = link
    elif point in ("before-ledger", "after-ledger"):
        original_complete = Ledger.complete

        def complete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if point == "before-ledger":
                die()
            original_complete(self, *args, **kwargs)
            die()
        Ledger.complete = complete  # type: ignore[method-assign]
    else:
        raise ValueError(f"unknown kill point {point!r}")


@dataclasses.dataclass
class Killed:
    """One build that was started and (maybe) killed."""

    point: str
    delay: float
    code: int | None
    killed: bool
    out: str
    err: str
    seconds: float


def spawn_child(argv: Sequence[str], point: str = "") -> subprocess.Popen:
    """A child build that imports alphaimport, prints "ready" and waits for a line on stdin to start."""
    env = clean_env(HOSTILE_KILL_AT=point)
    return subprocess.Popen([sys.executable, "-c", _CHILD.format(tests=str(REPO / "tests")), *argv],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=str(REPO))


def wait_ready(child: subprocess.Popen) -> subprocess.Popen:
    """The child, once it has said "ready"."""
    assert child.stdout is not None and child.stdout.readline() == b"ready\n", "the child did not start"
    return child


def start_child(argv: Sequence[str], point: str = "") -> subprocess.Popen:
    """A child build, imported and waiting for a line on stdin to start."""
    return wait_ready(spawn_child(argv, point))


def kill_build(argv: Sequence[str], point: str = "random", delay: float = 0.0, timeout: float = 120.0) -> Killed:
    """Run one build in a child; "random": SIGKILL it ``delay`` seconds after it starts (if still running),
    else it kills itself at the named point."""
    child = start_child(argv, "" if point == "random" else point)
    assert child.stdin is not None
    child.stdin.write(b"go\n")
    child.stdin.flush()
    start = time.monotonic()
    killed = False
    if point == "random":
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            child.kill()
            killed = True
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
    killed = killed or child.returncode == -signal.SIGKILL
    return Killed(point, delay, child.returncode, killed, _text(out), _text(err), time.monotonic() - start)


def ledger_rows(ledger: Path) -> list[tuple[str, str, str]]:
    """(name, status, path) of every delivery in a ledger, read with sqlite3 directly."""
    import sqlite3

    if not ledger.exists():
        return []
    db = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=60)
    try:
        return db.execute("SELECT name, status, path FROM deliveries ORDER BY name").fetchall()
    finally:
        db.close()


def ledger_identifiers(ledger: Path) -> list[tuple[str, str, str]]:
    """(identifier, delivery name, delivery status) of every identifier recorded."""
    import sqlite3

    if not ledger.exists():
        return []
    db = sqlite3.connect(f"file:{ledger}?mode=ro", uri=True, timeout=60)
    try:
        return db.execute("SELECT i.identifier, i.delivery, d.status FROM identifiers i "
                          "JOIN deliveries d ON d.name = i.delivery").fetchall()
    finally:
        db.close()


def check_folder_and_ledger(out_dir: Path, ledger: Path, expected: dict[str, int] | None = None,
                            parts_allowed: bool = True) -> dict[str, list[str]]:
    """What is wrong with a folder of deliveries and its ledger, after any number of (killed) builds.

    ``expected``: the records a complete delivery (``accepted``) and rejects file (``rejected``) hold.
    Returns problems as {"partial": [...], "duplicate": [...], "ledger": [...]}.
    """
    problems: dict[str, list[str]] = {"partial": [], "duplicate": [], "ledger": []}
    files = sorted(out_dir.iterdir()) if out_dir.is_dir() else []
    if not parts_allowed:
        problems["partial"] += [f"temporary file left: {p.name}" for p in files if p.name.endswith(".part")]
    outputs = [p for p in files if not p.name.endswith(".part") and p.suffix in DELIVERY_SUFFIXES]
    for path in outputs:
        try:
            records = count_records(path)
        except Exception as exc:  # noqa: BLE001
            problems["partial"].append(f"{path.name} is not complete: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        if expected is not None:
            want = expected["rejected" if path.name.endswith(".rejects.csv") else "accepted"]
            if records != want:
                problems["partial"].append(f"{path.name} holds {records} records, a complete one {want}")
    rows = ledger_rows(ledger)
    names = [name for name, _, _ in rows]
    problems["duplicate"] += [f"name {n} issued {names.count(n)} times" for n in set(names) if names.count(n) > 1]
    stems = [n.split(".", 1)[0] for n in names]
    problems["duplicate"] += [f"number {s} issued {stems.count(s)} times" for s in set(stems) if stems.count(s) > 1]
    status = {name: state for name, state, _ in rows}
    for name, state, path in rows:
        if state == "complete" and not (Path(path).is_file() and Path(path).parent == out_dir):
            problems["ledger"].append(f"{name} is complete but its file {path} does not exist")
    for path in outputs:
        stem = path.name.split(".", 1)[0]
        owner = [n for n in names if n.split(".", 1)[0] == stem]
        if not owner:
            problems["ledger"].append(f"{path.name} exists but the ledger never issued its name")
        elif status[owner[0]] == "failed":
            problems["ledger"].append(f"{path.name} exists but the ledger says its build failed")
    for identifier, delivery, state in ledger_identifiers(ledger):
        if state != "complete":
            problems["ledger"].append(f"identifier {identifier} recorded for {delivery}, which is {state}")
    return problems


def write_kill_input(path: Path, rows: int, seed: int = 0) -> None:
    """A CSV export of ``rows`` records, one in twenty with a phone number that is rejected."""
    rnd = random.Random(seed)
    lines = ['"IDENTIFICATION_IDENTIFIER";"PERSON_FAMILYNAME";"CONTACT_PHONENUMBER_1";"CONTROL_FLOWID";'
             '"INVOICE_DESCRIPTION"']
    for number in range(rows):
        phone = "06-1234" if number % 20 == 7 else f"06{rnd.randrange(10**8):08d}"
        lines.append(f'"K{number:07d}";"Jansen-{number} é";"{phone}";"1001";"factuur ""{number}""; € 12,50"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
