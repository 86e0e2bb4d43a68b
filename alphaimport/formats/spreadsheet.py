"""What the XLSX, XLS and ODS readers share: recognising the file, refusing unsafe ones, calamine reading.

A spreadsheet is read in three steps, each of which can refuse it with a one-line message:

1. :func:`recognise` looks at the bytes (never at the name): a zip package (XLSX/XLSM/XLSB/ODS, checked
   against the zip-bomb limits below before anything is decompressed), an OLE2 file (XLS, or an encrypted
   OOXML workbook), or something else, which is described ("text that looks like CSV").
2. python-calamine opens the workbook and the sheet (data only: macros never run, external links are
   never followed, formulas give their cached values).
3. :func:`frames` turns the sheet's rows into text frames: header = first non-empty row, every value
   through :func:`~alphaimport.formats.cells.cell_text`, index ``row`` = the sheet's row number,
   fully empty rows skipped (they are not records).
"""
from __future__ import annotations

import contextlib
import io
import itertools
import os
import re
import sys
import tempfile
import threading
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator, NoReturn

import pandas as pd
import python_calamine as calamine

from alphaimport.errors import ReadError, UnsafeInput, WriteError
from alphaimport.formats import ReadOptions, Source, cfb
from alphaimport.formats.cells import cell_text

MiB, GiB = 1 << 20, 1 << 30
#: total declared uncompressed size of a zip package: a full 1,048,576-row x 26-column sheet of text
#: cells is about 1.6 GB of XML, so 2 GiB admits every real sheet and refuses a bomb before it is inflated
MAX_UNCOMPRESSED = 2 * GiB
#: largest expansion of one part; real sheets measure 5:1 (varied text) to 25:1 (one value repeated)
MAX_RATIO = 100
#: parts smaller than this are not ratio-checked (tiny XML parts of a few KiB may compress very well)
RATIO_CHECKED_FROM = 10 * MiB
#: parts in one package; a workbook has tens, a thousand sheets and images would be a few thousand
MAX_MEMBERS = 10_000
#: cells of the sheet's rectangle (calamine holds it densely, 32 bytes a cell): 1,048,576 rows x 47
#: columns or 1,000,000 records x 50 columns; a tiny file naming cell XFD1048576 would need 550 GB
MAX_CELLS = 50_000_000

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16 = "utf-16-le"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "xlsb": (".xlsb",), "xls": (".xls",), "ods": (".ods",)}
_OTHER_PACKAGES = {  # a part that says what an archive is when it is no spreadsheet
    "word/document.xml": "a Word document (.docx)",
    "ppt/presentation.xml": "a PowerPoint presentation (.pptx)",
}


@dataclass(frozen=True)
class Package:
    """A recognised spreadsheet file: its kind (xlsx, xlsb, xls, ods) and, for zip packages, the archive."""

    kind: str
    archive: zipfile.ZipFile | None


def frames(source: Source, options: ReadOptions, rows: int | None = None,
           guard: Callable[[Package, str, str], None] | None = None) -> Iterator[pd.DataFrame]:
    """The text frames of one sheet: one frame, or frames of at most ``rows`` records.

    ``guard(package, sheet, name)`` runs after the sheet is chosen and before calamine loads it:
    the XLSX reader checks there the rectangle the sheet's cells span.
    """
    with _opened(source) as (name, handle):
        package = recognise(handle, name)
        try:
            with _panics_held(name):
                book = _workbook(source, handle, package.kind)
                sheet_name = choose_sheet(book, options.sheet, name)
                if guard is not None:
                    guard(package, sheet_name, name)
                sheet = book.get_sheet_by_name(sheet_name)
        except calamine.CalamineError as exc:
            raise _calamine_error(exc, name) from None
    check_cells(sheet.height * sheet.width, name, sheet_name)
    return _frames(sheet.iter_rows(), name, sheet_name, rows)


def recognise(handle: BinaryIO, name: str) -> Package:
    """What the file is; ReadError (or UnsafeInput) for anything calamine must not be given."""
    head = handle.read(8)
    handle.seek(0)
    if not head:
        raise ReadError(f"{name}: the file is empty (0 bytes)")
    if head.startswith(_ZIP):
        archive = check_zip(handle, name)
        return Package(_package_kind(archive, name), archive)
    if head.startswith(_OLE2):
        _check_ole2(handle, name)
        return Package("xls", None)
    handle.seek(0)
    sample = handle.read(4096)
    handle.seek(0)
    raise ReadError(f"{name}: not a spreadsheet: the content is {describe(sample)}")


def check_zip(handle: BinaryIO, name: str) -> zipfile.ZipFile:
    """The zip archive, after its declared sizes passed the limits; UnsafeInput names the limit."""
    try:
        archive = zipfile.ZipFile(handle)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise ReadError(f"{name}: truncated or damaged: not a complete zip archive") from None
    if len(members) > MAX_MEMBERS:
        raise UnsafeInput(f"{name}: {len(members):,} parts in the archive exceed the {MAX_MEMBERS:,} limit")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise UnsafeInput(f"{name}: declared uncompressed size {size_text(total)} exceeds the "
                          f"{size_text(MAX_UNCOMPRESSED)} limit (zip bomb?)")
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size >= RATIO_CHECKED_FROM and ratio > MAX_RATIO:
            raise UnsafeInput(f"{name}: part {member.filename} expands {ratio:,.0f} times "
                              f"({size_text(member.file_size)}), over the {MAX_RATIO}:1 limit (zip bomb?)")
        if member.flag_bits & 0x1:
            raise ReadError(f"{name}: the archive is password-protected; save it without a password")
        if member.flag_bits & 0x60 or member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ReadError(f"{name}: damaged: part {member.filename} uses a zip feature no spreadsheet uses "
                            f"(flags {member.flag_bits:#x}, method {member.compress_type})")
    return archive


def choose_sheet(book: calamine.CalamineWorkbook, wanted: str | None, name: str) -> str:
    """The sheet asked for (exact, else the one name matching case-insensitively), else the first visible one."""
    names = list(book.sheet_names)
    if wanted is not None:
        if wanted in names:
            return wanted
        folded = [n for n in names if n.strip().casefold() == wanted.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        listed = ", ".join(repr(n) for n in names)
        raise ReadError(f"{name}: no sheet named {wanted!r}; the sheets are {listed}")
    sheets = [m for m in book.sheets_metadata if m.typ == calamine.SheetTypeEnum.WorkSheet]
    visible = [m for m in sheets if m.visible == calamine.SheetVisibleEnum.Visible]
    chosen = (visible or sheets)[:1]
    if not chosen:
        raise ReadError(f"{name}: the workbook has no worksheet")
    return chosen[0].name


def check_cells(cells: int, name: str, sheet: str) -> None:
    """UnsafeInput when a sheet's rectangle holds more than MAX_CELLS cells."""
    if cells > MAX_CELLS:
        raise UnsafeInput(f"{name}: sheet {sheet!r} spans {cells:,} cells, over the {MAX_CELLS:,} limit "
                          "(a cell far outside the data?)")


def size_text(size: int) -> str:
    """A byte count as people read it: 5.0 GB, 2 GiB for the round limits."""
    if size % GiB == 0:
        return f"{size // GiB} GiB"
    if size % MiB == 0 and size < GiB:
        return f"{size // MiB} MiB"
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


# -- the parts of recognise --------------------------------------------------------------------------

def _package_kind(archive: zipfile.ZipFile, name: str) -> str:
    names = set(archive.namelist())
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "mimetype" in names or "content.xml" in names:
        mimetype = _small_part(archive, "mimetype", name).strip() if "mimetype" in names else _ODS_MIMETYPE
        if mimetype != _ODS_MIMETYPE:
            kind = mimetype.decode("ascii", "replace").rsplit(".", 1)[-1] or "unknown"
            raise ReadError(f"{name}: an OpenDocument {kind} document, not a spreadsheet")
        if b"encryption-data" in _small_part(archive, "META-INF/manifest.xml", name):
            raise ReadError(f"{name}: the spreadsheet is password-protected; save it without a password")
        return "ods"
    for part, what in _OTHER_PACKAGES.items():
        if part in names:
            raise ReadError(f"{name}: {what}, not a spreadsheet")
    raise ReadError(f"{name}: a zip archive without a workbook (no xl/workbook.xml or content.xml)")


def _small_part(archive: zipfile.ZipFile, part: str, name: str) -> bytes:
    try:
        with archive.open(part) as handle:
            return handle.read(MiB)
    except KeyError:
        return b""
    except (zipfile.BadZipFile, EOFError, OSError, ValueError, zlib.error):
        raise ReadError(f"{name}: truncated or damaged: part {part} cannot be read") from None


def _check_ole2(handle: BinaryIO, name: str) -> None:
    """An OLE2 file is an XLS, unless it is an encrypted OOXML package or another Office document."""
    found: set[str] = set()
    wanted = {"EncryptedPackage", "WordDocument", "PowerPoint Document"}
    patterns = {w: w.encode(_UTF16) for w in wanted}
    tail = b""
    while chunk := handle.read(16 * MiB):  # directory entries name their streams in UTF-16
        block = tail + chunk
        found |= {w for w, p in patterns.items() if p in block}
        tail = block[-64:]
    handle.seek(0)
    if "EncryptedPackage" in found:
        raise ReadError(f"{name}: the workbook is password-protected (encrypted); "
                        "save it without a password and try again")
    if "WordDocument" in found:
        raise ReadError(f"{name}: a Word document (.doc), not a spreadsheet")
    if "PowerPoint Document" in found:
        raise ReadError(f"{name}: a PowerPoint presentation (.ppt), not a spreadsheet")
    cfb.check(handle, name)  # chains that loop would make calamine loop (and eat memory) forever


def describe(sample: bytes) -> str:
    """What the first bytes of a file look like, for a message: 'text that looks like CSV (';'-separated)'."""
    for magic, what in ((b"%PDF", "a PDF document"), (b"\x1f\x8b", "a gzip archive"), (b"Rar!", "a RAR archive"),
                        (b"7z\xbc\xaf", "a 7-Zip archive"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image")):
        if sample.startswith(magic):
            return what
    text = _as_text(sample)
    if text is None:
        return "unrecognised binary data"
    start = text.lstrip().lower()
    if start.startswith(("<!doctype html", "<html", "<table")):
        return "an HTML page (some systems export HTML tables named .xls); export CSV or XLSX instead"
    if "urn:schemas-microsoft-com:office:spreadsheet" in start:
        return "an Excel 2003 XML spreadsheet; open it in Excel and save it as .xlsx"
    if start.startswith("<"):
        return "an XML document"
    if start.startswith(("{", "[")):
        return "JSON text"
    line = text.splitlines()[0] if text.strip() else ""
    counts = {d: line.count(d) for d in (";", ",", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter]:
        shown = "tab" if delimiter == "\t" else repr(delimiter)
        return f"text that looks like CSV ({shown}-separated); rename it to .csv"
    return "plain text"


def _as_text(sample: bytes) -> str | None:
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return sample.decode("utf-16", "ignore")
    if b"\x00" in sample or sum(b < 9 or 13 < b < 32 for b in sample) > len(sample) // 100:
        return None
    try:
        return sample.decode("utf-8-sig")
    except UnicodeDecodeError:
        return sample.decode("cp1252", "replace")


def _workbook(source: Source, handle: BinaryIO, kind: str) -> calamine.CalamineWorkbook:
    """calamine's workbook: by path where the extension names the kind (its errors are then precise),
    else from the bytes (calamine tries each format, and reports any failure as 'Cannot detect')."""
    if isinstance(source, (str, Path)) and Path(source).suffix.lower() in _SUFFIXES[kind]:
        return calamine.CalamineWorkbook.from_path(source)
    handle.seek(0)
    return calamine.CalamineWorkbook.from_filelike(handle)


def _calamine_error(exc: Exception, name: str) -> ReadError:
    text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    if isinstance(exc, calamine.PasswordError) or "password" in text.lower():
        return ReadError(f"{name}: the workbook is password-protected; save it without a password")
    if "larger than its declared" in text:
        return UnsafeInput(f"{name}: a part is larger than its declared size (zip bomb or tampered file)")
    if "cell limit" in text.lower():
        return UnsafeInput(f"{name}: the sheet spans too many cells ({text})")
    return ReadError(f"{name}: damaged or unreadable spreadsheet ({text})")


# -- calamine's panics ---------------------------------------------------------------------------------

_STDERR_LOCK = threading.Lock()


@contextlib.contextmanager
def _panics_held(name: str) -> Iterator[None]:
    """ReadError for a panic inside calamine (a damaged file it does not check, e.g. an XLS cut short
    inside its directory): pyo3 raises PanicException, a BaseException that nothing else would catch.

    Rust's panic hook writes the panic to file descriptor 2 first; what is written there meanwhile is
    held and given back afterwards, except after a panic (the ReadError says it in one line).
    """
    panicked = False
    with _STDERR_LOCK:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError, AttributeError):  # no file descriptor 2 to hold
            saved = None
        with tempfile.TemporaryFile() as spool:
            if saved is not None:
                os.dup2(spool.fileno(), 2)
            try:
                yield
            except BaseException as exc:
                if type(exc).__name__ != "PanicException":
                    raise
                panicked = True
                text = (str(exc).strip().splitlines() or ["panic"])[0]
                raise ReadError(f"{name}: damaged or truncated spreadsheet; save it again from the program that "
                                f"made it (the reader stopped at: {text})") from None
            finally:
                if saved is not None:
                    os.dup2(saved, 2)
                    os.close(saved)
                    spool.seek(0)
                    while not panicked and (chunk := spool.read(1 << 16)):
                        os.write(2, chunk)


# -- sources ------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _opened(source: Source) -> Iterator[tuple[str, BinaryIO]]:
    """(name for messages, seekable binary handle at its start) of a path or a file object."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            handle = path.open("rb")
        except OSError as exc:
            raise ReadError(f"{path.name}: cannot open ({exc.strerror or exc})") from None
        with handle:
            yield path.name, handle
        return
    name = Path(str(getattr(source, "name", "") or "input")).name
    if not (hasattr(source, "seekable") and source.seekable()) or source.tell() != 0:
        source = io.BytesIO(source.read())
    yield name, source


# -- rows to frames -----------------------------------------------------------------------------------

def _frames(raw_rows: Iterator[list[Any]], name: str, sheet: str, rows: int | None) -> Iterator[pd.DataFrame]:
    records = _records(raw_rows)
    first = next(records, None)
    if first is None:
        raise ReadError(f"{name}: sheet {sheet!r} is empty (no header row)")
    header = first[1]
    values: list[list[str]] = []
    numbers: list[int] = []
    sent = False
    for number, record in records:
        values.append(record)
        numbers.append(number)
        if rows is not None and len(values) >= rows:
            yield _frame(header, values, numbers)
            values, numbers, sent = [], [], True
    if values or not sent:
        yield _frame(header, values, numbers)


def _records(raw_rows: Iterator[list[Any]]) -> Iterator[tuple[int, list[str]]]:
    """(sheet row number, texts) of every row holding a value; calamine's rows start at sheet row 1."""
    for number, raw in enumerate(raw_rows, start=1):
        texts = [v if type(v) is str else cell_text(v) for v in raw]
        if any(texts):
            yield number, texts


def _frame(header: list[str], values: list[list[str]], numbers: list[int]) -> pd.DataFrame:
    index = pd.Index(numbers, dtype="int64", name="row")
    if not values:
        frame = pd.DataFrame(index=index, columns=range(len(header)), dtype=object)
    else:
        frame = pd.DataFrame(values, index=index, dtype=object)
    frame.columns = pd.Index(header, dtype=object)
    return frame


# -- writing: one sheet of text cells streamed into a zip package --------------------------------------

#: characters XML 1.0 cannot hold at all (C0 controls but tab, LF, CR; lone surrogates; U+FFFE/U+FFFF)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_BATCH = 2_000


class TextSheetWriter:
    """Streams records into one sheet whose every cell is a text cell; a subclass gives the XML.

    Memory holds one batch of rows, never the sheet: the sheet part is deflated into the archive as it
    is written. A value holding a character XML 1.0 forbids raises WriteError naming its row and column.
    """

    FORMAT = ""
    SHEET_PART = ""
    MAX_ROWS = 1_048_576  # Excel's and LibreOffice Calc's last row
    MAX_COLUMNS = 16_384  # and their last column
    COMPRESSLEVEL: int | None = None  # zlib's level for the package's parts; None: zlib's default (6)

    def __init__(self, path: str | Path, columns: list[str] | tuple[str, ...]) -> None:
        self.path = Path(path)
        self.columns = list(columns)
        self._rows_written = 0
        self._archive: zipfile.ZipFile | None = None
        if len(self.columns) > self.MAX_COLUMNS:
            raise WriteError(f"{self.path.name}: {len(self.columns):,} columns exceed {self.FORMAT}'s "
                             f"{self.MAX_COLUMNS:,}")
        try:
            self._archive = zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED, compresslevel=self.COMPRESSLEVEL)
            self._start_package(self._archive)
            self._sheet = self._archive.open(self.SHEET_PART, "w")
            self._sheet.write(self._sheet_start().encode("utf-8"))
        except OSError as exc:
            raise WriteError(f"{self.path.name}: cannot write ({exc.strerror or exc})") from None
        self._put([self.columns], [None])

    def write(self, frame: pd.DataFrame) -> None:
        """Append the frame's records (its columns in the writer's order, every value a str)."""
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise ValueError(f"{self.path.name}: the frame lacks the columns {missing}")
        labels = frame.index.tolist()
        table = frame[self.columns]
        for start in range(0, len(frame), _BATCH):
            # one to_numpy per batch: itertuples is ~10x slower on Arrow-backed text columns
            batch = table.iloc[start:start + _BATCH].to_numpy(dtype=object).tolist()
            self._put(batch, labels[start:start + len(batch)])

    def close(self) -> None:
        """Finish the sheet and the package; closing twice is harmless."""
        if self._archive is None:
            return
        archive, self._archive = self._archive, None
        try:
            self._sheet.write(self._sheet_end().encode("utf-8"))
            self._sheet.close()
            archive.close()
        except (OSError, RuntimeError) as exc:  # RuntimeError: a part over 2 GiB without zip64
            raise WriteError(f"{self.path.name}: cannot finish the file ({exc})") from None

    def __enter__(self) -> TextSheetWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _put(self, batch: list[list[Any]], labels: list[Any]) -> None:
        if self._archive is None:
            raise ValueError(f"{self.path.name}: the writer is closed")
        if self._rows_written + len(batch) > self.MAX_ROWS:
            raise WriteError(f"{self.path.name}: more than {self.MAX_ROWS - 1:,} records do not fit one "
                             f"{self.FORMAT} sheet; split the delivery")
        if set(map(type, itertools.chain.from_iterable(batch))) - {str}:  # a set of types: no per-value loop
            for values in batch:
                for i, value in enumerate(values):
                    if type(value) is not str:
                        values[i] = cell_text(value)
        xml = self._rows_xml(batch)
        if xml is None:
            self._refuse(batch, labels)
        self._sheet.write(xml)
        self._rows_written += len(batch)

    def _rows_xml(self, batch: list[list[str]]) -> bytes | None:
        """The UTF-8 XML of a batch of rows (the next sheet rows); None when a value holds a character
        XML 1.0 forbids. This joins :meth:`_row_xml` per row; a subclass may build the batch at once."""
        first = self._rows_written + 1
        xml = "".join(self._row_xml(values, first + offset) for offset, values in enumerate(batch))
        return None if _NOT_XML.search(xml) else xml.encode("utf-8")

    def _refuse(self, batch: list[list[str]], labels: list[Any]) -> NoReturn:
        for offset, values in enumerate(batch):
            for column, value in zip(self.columns, values):
                bad = _NOT_XML.search(value)
                if bad:
                    source = "" if labels[offset] is None else f" (source row {labels[offset]})"
                    raise WriteError(
                        f"{self.path.name}: sheet row {self._rows_written + offset + 1}{source}, column {column}: "
                        f"character U+{ord(bad.group()):04X} cannot be stored in {self.FORMAT} (XML 1.0 forbids it)")
        raise WriteError(f"{self.path.name}: a character XML 1.0 forbids near sheet row {self._rows_written + 1}")

    # the format's parts ------------------------------------------------------------------------------
    def _start_package(self, archive: zipfile.ZipFile) -> None:
        raise NotImplementedError

    def _sheet_start(self) -> str:
        raise NotImplementedError

    def _row_xml(self, values: list[str], number: int) -> str:
        raise NotImplementedError

    def _sheet_end(self) -> str:
        raise NotImplementedError
