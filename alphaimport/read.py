"""The read stage: any supported source -> the canonical text frame and its header issues.

A source is a path, a binary file object or a pandas DataFrame. The format is chosen by content where
the content says so (a zip with ``xl/workbook.xml`` is XLSX whatever its name), else by extension, and
``format=`` overrides both. The frame holds the registry columns the headers map to plus the mapping's
constants, in registry order, every value a ``str``, indexed by ``row`` (what a user sees).
"""
from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, Collection, Iterator, NamedTuple, Union

import pandas as pd

from alphaimport import formats
from alphaimport.errors import MappingError, ReadError, UnsupportedFormat
from alphaimport.formats.cells import NoText, cell_text
from alphaimport.issues import Issue
from alphaimport.mapping import (
    HeaderPlan, Mapping, apply_plan, blank_header_issues, header_fields, load_mapping, mapping_from_dict,
    plan_headers,
)

Input = Union[str, Path, BinaryIO, pd.DataFrame]
MappingLike = Union[Mapping, str, Path, dict, None]

_SNIFF_BYTES = 2048
_ZIP, _OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SPREADSHEETS = ("xlsx", "xls", "ods")
_CONTROL = set(range(0x20)) - {0x09, 0x0A, 0x0C, 0x0D, 0x1A}  # C0 controls text does not hold
_SURROGATE = re.compile("[\ud800-\udfff]")


class Loaded(NamedTuple):
    """What the pipeline reads: the canonical frame, the header issues, and the mapping in force."""

    frame: pd.DataFrame
    issues: list[Issue]
    mapping: Mapping


class Stream(NamedTuple):
    """A source read in chunks: ``issues`` is complete once ``chunks`` is exhausted."""

    columns: list[str]
    mapping: Mapping
    issues: list[Issue]
    chunks: Iterator[pd.DataFrame]


def read(source: Input, mapping: MappingLike = None, sheet: str | None = None, *, encoding: str | None = None,
         delimiter: str | None = None, format: str | None = None) -> pd.DataFrame:
    """The canonical frame of a source, carrying ``attrs["issues"]`` (header issues) and ``attrs["mapping"]``.

    :func:`alphaimport.validate` takes both from there: the mapping's units, date order and region.
    """
    loaded = load(source, mapping, sheet, encoding, delimiter, format)
    loaded.frame.attrs.update(issues=loaded.issues, mapping=loaded.mapping)
    return loaded.frame


def load(source: Input, mapping: MappingLike = None, sheet: str | None = None, encoding: str | None = None,
         delimiter: str | None = None, format: str | None = None) -> Loaded:
    """The canonical frame, header issues and mapping of a source (a DataFrame is copied, never changed)."""
    resolved = resolve_mapping(mapping)
    name, raw = _open(source, formats.ReadOptions(encoding, delimiter, sheet), format, None)
    first = next(raw)
    plan = _plan(first, resolved, name)
    return Loaded(apply_plan(first, plan), [*plan.issues, *blank_header_issues(first, plan)], resolved)


def iter_load(source: Input, mapping: MappingLike = None, sheet: str | None = None, encoding: str | None = None,
              delimiter: str | None = None, format: str | None = None, chunk_rows: int = 100_000,
              fields: Collection[str] | None = None) -> Stream:
    """The source in canonical chunks of at most ``chunk_rows`` records, for the streaming pipeline.

    With ``fields`` the chunks hold only those canonical columns (the same rows and values); the CSV
    reader then converts only the columns mapped to them, and ``issues`` concern the columns read.
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    if isinstance(fields, str):
        raise TypeError("fields must be a collection of field names, not one str")
    resolved = resolve_mapping(mapping)
    wanted, field_of = frozenset(fields or ()), header_fields(resolved)
    options = formats.ReadOptions(encoding, delimiter, sheet, None if fields is None else
                                  (lambda header: field_of(header) in wanted))
    name, raw = _open(source, options, format, chunk_rows)
    first = next(raw, None)
    if first is None:  # a reader that yields nothing at all: no headers, no records
        first = pd.DataFrame(index=pd.RangeIndex(0, name="row"))
    plan = _plan(first, resolved, name)
    if fields is not None:
        plan = replace(plan, columns=tuple(c for c in plan.columns if c in wanted))
    issues = [*plan.issues, *blank_header_issues(first, plan)]
    return Stream(list(plan.columns), resolved, issues, _mapped(first, raw, plan, issues))


def resolve_mapping(mapping: MappingLike) -> Mapping:
    """A Mapping from a Mapping, a YAML path, a dict laid out like the file, or None (the default)."""
    if mapping is None:
        return Mapping()
    if isinstance(mapping, Mapping):
        return mapping
    if isinstance(mapping, dict):
        return mapping_from_dict(mapping)
    if isinstance(mapping, (str, Path)):
        return load_mapping(mapping)
    raise TypeError(f"mapping must be a Mapping, a path or a dict, not {type(mapping).__name__}")


def _plan(first: pd.DataFrame, mapping: Mapping, name: str) -> HeaderPlan:
    try:
        return plan_headers(list(first.columns), mapping)
    except MappingError as exc:
        raise MappingError(f"{name}: {exc}") from None


def _mapped(first: pd.DataFrame, rest: Iterator[pd.DataFrame], plan: HeaderPlan,
            issues: list[Issue]) -> Iterator[pd.DataFrame]:
    yield apply_plan(first, plan)
    warned = {i.field for i in issues}
    for chunk in rest:  # a header-less column whose values start in a later chunk: warned when they show
        fresh = [i for i in blank_header_issues(chunk, plan) if i.field not in warned]
        warned.update(i.field for i in fresh)
        issues.extend(fresh)
        yield apply_plan(chunk, plan)


# -- opening a source ---------------------------------------------------------------------------------

def _open(source: Input, options: formats.ReadOptions, forced: str | None,
          rows: int | None) -> tuple[str, Iterator[pd.DataFrame]]:
    """(name for messages, raw frames): one frame, or chunks of ``rows`` records."""
    if isinstance(source, pd.DataFrame):
        raw = frame_source(source)
        if rows is None or len(raw) <= rows:
            return "DataFrame", iter([raw])
        return "DataFrame", (raw.iloc[i:i + rows] for i in range(0, len(raw), rows))
    name, target, head = _target(source)
    module = formats.module(_format_name(forced)) if forced else _choose(name, target, head)
    if rows is not None and hasattr(module, "read_chunks"):
        return name, iter(module.read_chunks(target, options, rows))
    return name, iter([module.read(target, options)])


def frame_source(frame: pd.DataFrame) -> pd.DataFrame:
    """A raw text copy of a DataFrame: every cell through cell_text, row = 1-based position.

    A cell without one obvious text (bytes, a list, a dict...) stops the read, as JSON's list in a scalar
    field does: ReadError naming the column, the row and the type.
    """
    columns = {i: _cells(frame.iloc[:, i], frame.columns[i]) for i in range(frame.shape[1])}
    try:
        raw = pd.DataFrame(columns, index=pd.RangeIndex(1, len(frame) + 1, name="row"), dtype="str")
    except UnicodeEncodeError:  # pyarrow strings cannot hold half a UTF-16 pair; say where it is
        raise _surrogate_error(frame, columns) from None
    raw.columns = [c if isinstance(c, str) else _header_text(c) for c in frame.columns]
    return raw


def _header_text(label: Any) -> str:
    """A column label as a header: a name, not a value delivered, so any label has one (an unknown one
    is reported as unknown-column under this name)."""
    try:
        return cell_text(label, exact_whole_floats=True)
    except NoText:
        return str(label)


def _surrogate_error(frame: pd.DataFrame, columns: dict[int, list[str]]) -> ReadError:
    for i, cells in columns.items():
        for row, cell in enumerate(cells, start=1):
            found = _SURROGATE.search(cell)
            if found:
                return ReadError(f"DataFrame column {frame.columns[i]!r} row {row}: "
                                 f"\\u{ord(found.group()):04x} is half a character (a lone surrogate)")
    return ReadError("DataFrame: a value holds half a character (a lone surrogate)")


def _cells(column: pd.Series, label: Any) -> list[str]:
    if column.dtype.kind in "iu":  # numpy integers: no NA, no '.0'
        return column.astype(str).tolist()
    # a float column is often integers with one NaN: its whole numbers keep every digit, as they were ints
    values = column.tolist()
    try:
        return [cell_text(v, exact_whole_floats=True) for v in values]
    except NoText:  # bytes, a list, a dict...: never its Python notation; say where the first one is
        for row, value in enumerate(values, start=1):
            try:
                cell_text(value, exact_whole_floats=True)
            except NoText as exc:
                raise ReadError(f"DataFrame column {label!r} row {row}: {exc}") from None
        raise


def _target(source: Any) -> tuple[str, Path | BinaryIO, bytes]:
    """(name, what the reader gets, the first bytes) of a path or a binary file object."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.exists():
            raise ReadError(f"{source}: no such file")
        if path.is_dir():
            raise ReadError(f"{source}: is a directory, not a file")
        try:
            with path.open("rb") as handle:
                return path.name, path, handle.read(_SNIFF_BYTES)
        except OSError as exc:
            raise ReadError(f"{path.name}: cannot open ({exc.strerror or exc})") from None
    if not hasattr(source, "read"):
        raise TypeError(f"source must be a path, a binary file object or a DataFrame, not {type(source).__name__}")
    name = Path(str(getattr(source, "name", "") or "input")).name
    if not (hasattr(source, "seekable") and source.seekable()):
        source = io.BytesIO(source.read())
    start = source.tell()
    head = source.read(_SNIFF_BYTES)
    source.seek(start)
    if isinstance(head, str):
        raise TypeError(f"{name}: open the file in binary mode ('rb')")
    return name, source, head


def _format_name(forced: str) -> str:
    name = forced.lower().lstrip(".")
    return {"xlsm": "xlsx", "txt": "csv", "tsv": "csv"}.get(name, name)


def _choose(name: str, target: Path | BinaryIO, head: bytes) -> Any:
    """The format module: by content where it is recognised, else by extension, else CSV."""
    try:
        by_name: str | None = formats.for_path(name).NAME
    except UnsupportedFormat:
        by_name = None
    chosen = choose_format(by_name, sniff(head, target), name)
    return formats.module(chosen)


def choose_format(by_name: str | None, by_content: str | None, name: str = "input") -> str:
    """Decide between what the extension and the content say; the content wins where it is sure."""
    if by_content == "empty" and by_name is not None:
        return by_name  # its reader says so in its own words
    if by_content in ("html", "binary") and by_name in _SPREADSHEETS:
        return by_name  # the spreadsheet reader describes the content (an HTML table saved as .xls)
    if by_content == "empty":
        raise ReadError(f"{name}: the file is empty")
    if by_content == "html":
        raise UnsupportedFormat(f"{name}: an HTML page, not a table; save it as .xlsx or .csv")
    if by_content == "zip":
        if by_name in ("xlsx", "ods"):
            return by_name  # its reader says what is wrong with the archive
        raise UnsupportedFormat(f"{name}: a zip archive that is neither an .xlsx nor an .ods spreadsheet")
    if by_content == "xls" and by_name == "xlsx":
        return "xlsx"  # an encrypted .xlsx is an OLE2 file: the xlsx reader says it is password-protected
    if by_content == "binary":
        raise ReadError(f"{name}: binary content of no known format; "
                        "expected CSV, XLSX, XLSM, XLS, ODS, XML or JSON")
    if by_content is not None:
        return by_content
    # plain text: a spreadsheet name on text is an export saved as text (tab-separated .xls)
    return by_name if by_name in ("csv", "xml", "json") else "csv"


def sniff(head: bytes, target: Path | BinaryIO | None = None) -> str | None:
    """What the first bytes are: a format name, 'zip', 'html', 'binary', 'empty', or None for plain text."""
    if not head:
        return "empty"
    if head.startswith(_ZIP):
        return _zip_kind(target) if target is not None else "zip"
    if head.startswith(_OLE2):
        return "xls"
    text = _text_start(head)
    if text is None:
        return "binary"
    lowered = text.lstrip().lower()
    if lowered.startswith(("<!doctype html", "<html", "<table", "<head", "<body")):
        return "html"
    if lowered.startswith("<"):
        return "xml"
    if lowered.startswith(("[", "{")):
        return "json"
    return None


def _text_start(head: bytes) -> str | None:
    """The start of a text file as text, or None for binary content."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="ignore")
    controls = sum(1 for byte in head if byte in _CONTROL)
    if b"\x00" in head or controls > len(head) // 100:
        return None
    return head.decode("latin-1")


def _zip_kind(target: Path | BinaryIO) -> str:
    """xlsx, ods or zip (another or a damaged archive), from the archive's members."""
    try:
        start = target.tell() if not isinstance(target, Path) else 0
        with zipfile.ZipFile(target) as archive:
            names = set(archive.namelist())
            mimetype = archive.open("mimetype").read(100) if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, EOFError, zlib.error, NotImplementedError,
            RuntimeError):  # a damaged or odd archive (zip features no spreadsheet uses): its reader says so
        return "zip"
    finally:
        if not isinstance(target, Path):
            target.seek(start)
    if "xl/workbook.xml" in names:
        return "xlsx"
    if b"opendocument.spreadsheet" in mimetype or ("content.xml" in names and not mimetype):
        return "ods"
    return "zip"
