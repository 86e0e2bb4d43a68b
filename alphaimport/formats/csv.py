"""CSV: read any common export (encoding and delimiter detected), write the guide's exact dialect.

Reading is optimistic and fast: one pass over the bytes (encoding, line count), then pyarrow's
streaming parser with every column as text, the start line of each record computed from the line
breaks inside its values. What pyarrow cannot answer exactly (a ragged record, a record longer than a
parse block) is read again from where it stopped with the standard ``csv`` module: slow but exact.
"""
from __future__ import annotations

import codecs
import csv as _csv
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Iterator, Sequence, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from alphaimport.errors import ReadError, WriteError
from alphaimport.formats import ReadOptions, Source, file_object_bytes
from alphaimport.mapping import header_key

NAME = "csv"
EXTENSIONS = (".csv", ".txt")
DELIMITERS = (";", ",", "\t", "|")  # detection candidates; on a tie the first wins
_BLOCK = 1 << 18  # bytes per read and pyarrow's parse block (a longer record: the csv module reads on);
# pyarrow's streaming reader reads up to 32 blocks ahead, so this also bounds its read-ahead (~8 MB; with
# 1 MB blocks the reader held ~30 MB more, for ~0.2 s less per million records)
_HEADER_LIMIT = 1 << 20
_CP1252_UNDEFINED = np.frombuffer(b"\x81\x8d\x8f\x90\x9d", dtype=np.uint8)
_BYTE_COUNTED = ("utf-8", "cp1252", "iso8859-1")  # encodings whose line breaks are the bytes CR and LF
_AS_TEXT = pc.CastOptions(pa.large_string(), allow_invalid_utf8=True)  # bytes known to be UTF-8, no copy


@dataclass(frozen=True)
class _Input:
    """A source that can be opened again: a path, or a file object's bytes held in memory."""

    name: str
    path: Path | None = None
    data: bytes = b""

    def binary(self) -> io.BufferedIOBase:
        return open(self.path, "rb") if self.path else io.BytesIO(self.data)


@dataclass(frozen=True)
class _Dialect:
    encoding: str  # a Python codec name; "utf-8" with or without BOM
    delimiter: str
    header: list[str]
    skip: int  # blank lines before the header
    first_line: int  # the line after the header
    header_only: bool
    lines: int | None  # physical lines, where the bytes tell (else None: the stream counts them as it decodes)


class _Fallback(Exception):
    """pyarrow cannot read this file exactly: read on with the csv module."""


class _Utf8Check:
    """Whether the blocks fed so far are valid UTF-8; a character may straddle two, an empty block ends."""

    def __init__(self) -> None:
        self.valid, self._pending = True, b""

    def feed(self, block: memoryview | bytes) -> bool:
        start = 0
        if self._pending and self.valid:  # finish the character the previous block began
            start = _utf8_length(self._pending[0]) - len(self._pending)
            self.valid = _valid_utf8(memoryview(self._pending + bytes(block[:start])))
        tail = _utf8_tail(block) if len(block) else 0
        self.valid = self.valid and _valid_utf8(block[start:len(block) - tail])
        self._pending = bytes(block[len(block) - tail:])
        return self.valid


class _Utf8Stream(io.RawIOBase):
    """The source as UTF-8 for pyarrow: transcoded where needed, and no read ends between CR and LF.

    pyarrow drops the LF of a CRLF inside a quoted value when it straddles two reads (apache/arrow#51368).
    UTF-8 bytes are checked as they pass (the encoding may be forced, or the file changed since the scan).
    Decoded text has its line breaks counted (``lines``) where the scan cannot count them in the bytes.
    A last line without a line break gets one: a quoted value never closed then holds it, whether or not
    the file ends with a line break (the same lines, as _Scan.lines counts such a last line too).
    """

    def __init__(self, raw: io.BufferedIOBase, encoding: str, count_lines: bool = False) -> None:
        super().__init__()
        self._raw, self._buffer, self._eof = raw, bytearray(), False
        self._decoder = None if encoding == "utf-8" else codecs.getincrementaldecoder(encoding)()
        self._check = None if self._decoder else _Utf8Check()
        self._breaks = _Breaks() if count_lines and self._decoder else None  # in the UTF-8 given to pyarrow
        self._end: int | None = None  # the last byte given to the buffer

    @property
    def lines(self) -> int | None:
        """Lines of the decoded text read so far, as _Scan.lines counts them; None when not counted."""
        return self._breaks.lines if self._breaks is not None else None

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        size = size if size is not None and size >= 0 else 1 << 62
        while len(self._buffer) <= size and not self._eof:
            chunk = self._raw.read(max(size, 1 << 16) if size < 1 << 62 else -1)
            self._eof = not chunk
            if self._check and not self._check.feed(chunk):
                raise UnicodeDecodeError("utf-8", chunk, 0, len(chunk), "invalid UTF-8")
            if self._decoder:
                data = self._decoder.decode(chunk, self._eof).encode()
                if self._breaks is not None:
                    self._breaks.feed(np.frombuffer(data, dtype=np.uint8))
                self._buffer += data
            else:
                self._buffer += chunk
            self._end = self._buffer[-1] if self._buffer else self._end
            if self._eof and self._end not in (None, 10, 13):
                self._buffer += b"\n"
                self._end = 10
                if self._breaks is not None:
                    self._breaks.feed(np.frombuffer(b"\n", dtype=np.uint8))
        cut = min(size, len(self._buffer))
        if 1 < cut < len(self._buffer) and self._buffer[cut - 1:cut + 1] == b"\r\n":
            cut -= 1
        with memoryview(self._buffer) as view:
            data = view[:cut].tobytes()
        del self._buffer[:cut]
        return data

    def close(self) -> None:
        self._raw.close()
        super().close()


def read(source: Source, options: ReadOptions = ReadOptions()) -> pd.DataFrame:
    """The whole file as one frame of text, indexed by the line where each record starts."""
    return next(_frames(source, options, None))


def read_chunks(source: Source, options: ReadOptions, rows: int) -> Iterator[pd.DataFrame]:
    """The file in frames of at most ``rows`` records (at least one frame, maybe empty); with
    ``options.columns``, only the columns whose header it keeps."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    return _frames(source, options, rows)


def _frames(source: Source, options: ReadOptions, rows: int | None) -> Iterator[pd.DataFrame]:
    inp = _open(source)
    d = _sniff(inp, options)
    keep = [i for i, h in enumerate(d.header) if options.columns(h)] if options.columns else None
    emitted = 0
    try:
        try:
            for frame in () if d.header_only else _arrow_frames(inp, d, options, rows, keep):
                emitted += len(frame)
                yield frame
        except _Fallback:
            for frame in _python_frames(inp, d, options, rows, skip=emitted):
                emitted += len(frame)
                yield frame if keep is None else frame.iloc[:, keep]
    except UnicodeEncodeError:  # a codec such as unicode_escape or utf-7 decoded half a UTF-16 pair
        raise ReadError(f"{inp.name}: decoded as {options.encoding or d.encoding}, the file holds a lone "
                        "surrogate (half a character); check --encoding") from None
    if not emitted:
        names = d.header if keep is None else [d.header[i] for i in keep]
        yield _text_frame(names, [pd.array([], dtype="str") for _ in names], pd.Index([], dtype="int64", name="row"))


def _open(source: Source) -> _Input:
    if isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ReadError(f"{path.name}: no such file" if not path.exists() else f"{path.name} is not a file")
        return _Input(path.name, path=path)
    label, data = file_object_bytes(source)
    return _Input(label, data=data)


# -- detection -----------------------------------------------------------------------------------

def _sniff(inp: _Input, options: ReadOptions) -> _Dialect:
    """Encoding, delimiter and header of a file; ReadError for an empty or undecodable one."""
    try:
        stat = inp.path.stat() if inp.path else None
    except OSError:  # gone since it was opened: _detect's reading says so
        stat = None
    if stat is None:
        return _detect(inp, options.encoding, options.delimiter)
    version = (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    return _detected(inp, options.encoding, options.delimiter, version)


@functools.lru_cache(maxsize=8)
def _detected(inp: _Input, encoding: str | None, delimiter: str | None, version: tuple[int, ...]) -> _Dialect:
    """_detect, once per version (inode, size, times) of a file: the pipeline reads it twice (a pass for
    duplicate identifiers), and detecting scans every byte (~0.45 s a million records)."""
    return _detect(inp, encoding, delimiter)


def _detect(inp: _Input, given_encoding: str | None, given_delimiter: str | None) -> _Dialect:
    forced = _codec(given_encoding, inp.name) if given_encoding else None
    scan = _scan(inp, check_utf8=forced is None)
    if scan.blank:
        raise ReadError(f"{inp.name} is empty")
    encoding, whole = forced or scan.encoding, scan.size == len(scan.head)
    try:
        text = codecs.getincrementaldecoder(encoding)().decode(scan.head, final=whole)
    except UnicodeError:  # UnicodeDecodeError, or a plain one: "UTF-16 stream does not start with BOM"
        raise _decode_error(inp, encoding, given_encoding or encoding) from None
    text = text.removeprefix("\ufeff")
    body = text.lstrip("\r\n")
    skip = _breaks(text[: len(text) - len(body)])
    counts = _delimiter_counts(body)
    delimiter = _delimiter(given_delimiter, inp.name) or max(DELIMITERS, key=lambda d: counts[d])
    header, size, spans = _header(body, delimiter, whole, inp.name, skip + 1)
    _check_header(header, inp.name)
    counted = codecs.lookup(encoding).name in _BYTE_COUNTED
    return _Dialect(
        encoding=encoding, delimiter=delimiter, header=header, skip=skip,
        first_line=skip + 1 + spans, header_only=whole and not body[size:].strip("\r\n"),
        lines=scan.lines if counted else None,
    )


def _header(body: str, delimiter: str, whole: bool, name: str, line: int) -> tuple[list[str], int, int]:
    """The first record of ``body`` (the file from its header line, all of it when ``whole``), parsed as
    the csv module parses records: its cells, the characters it takes with its line break, its lines.
    ReadError when there is none, when its quote is never closed, or when it runs past what was read."""
    lines = io.StringIO(body, newline="")
    reader = _csv.reader(_terminated(lines), delimiter=delimiter, strict=False)
    try:
        header = next(reader, None)
    except _csv.Error as exc:
        problem = str(exc)
        if "field limit" in problem and not whole:
            raise ReadError(f"{name}: the header line is longer than {_HEADER_LIMIT:,} bytes") from None
        if "field limit" in problem:
            problem = f"a value longer than {_csv.field_size_limit():,} characters; is a closing quote missing?"
        raise ReadError(f"{name} line {line}: {problem}") from None
    if header is None:  # nothing but a byte order mark and line breaks
        raise ReadError(f"{name} is empty")
    size, spans = lines.tell(), reader.line_num
    still_open = sum(_breaks(cell) for cell in header) >= spans  # its values hold every line break it took
    if not whole and (still_open or not body[:size].endswith(("\r", "\n"))):
        raise ReadError(f"{name}: the header line is longer than {_HEADER_LIMIT:,} bytes")
    if still_open:
        raise _unclosed(name, line)
    return header, size, spans


class _Scan:
    """What one pass over the bytes tells: blank or not, valid UTF-8 or not, the line breaks."""

    def __init__(self, check_utf8: bool) -> None:
        self.head, self.size, self.blank = b"", 0, True
        self.undefined, self._check, self._utf8 = False, check_utf8, _Utf8Check()
        self._breaks = _Breaks()

    def feed(self, block: memoryview) -> None:
        if len(self.head) < _HEADER_LIMIT:  # enough to hold the header
            self.head += bytes(block)
        self.size += len(block)
        if self.blank and bytes(block).removeprefix(b"\xef\xbb\xbf").strip():
            self.blank = False
        if self._check and self.utf8:
            self._utf8.feed(block)
        array = np.frombuffer(block, dtype=np.uint8)
        if self._check and not self.utf8 and not self.undefined:
            self.undefined = bool(np.isin(array[(array > 0x80) & (array < 0x9E)], _CP1252_UNDEFINED).any())
        self._breaks.feed(array)

    @property
    def utf8(self) -> bool:
        """Whether the bytes fed so far are valid UTF-8 (or were not checked)."""
        return self._utf8.valid

    @property
    def encoding(self) -> str:
        if self.head.startswith((b"\xff\xfe", b"\xfe\xff")):
            return "utf-16"  # Excel's "Unicode text": UTF-16 with a byte order mark
        return "utf-8" if self.utf8 else "latin-1" if self.undefined else "cp1252"

    @property
    def lines(self) -> int:
        return self._breaks.lines


class _Breaks:
    """The line breaks in bytes fed block by block (CR and LF are those bytes: UTF-8, cp1252, latin-1)."""

    def __init__(self) -> None:
        self.count = self._last = 0
        self._cr = self._lf = np.empty(0, dtype=bool)  # kept: no fresh pages per block

    def feed(self, array: np.ndarray) -> None:
        """CRLF, LF and a lone CR: one line break each, a CRLF split over two blocks too."""
        if not len(array):
            return
        if len(array) > len(self._cr):
            self._cr, self._lf = np.empty(len(array), dtype=bool), np.empty(len(array), dtype=bool)
        cr, lf = np.equal(array, 13, out=self._cr[:len(array)]), np.equal(array, 10, out=self._lf[:len(array)])
        self.count += int(np.count_nonzero(cr)) + int(np.count_nonzero(lf)) - (self._last == 13 and array[0] == 10)
        self.count -= int(np.count_nonzero(np.logical_and(cr[:-1], lf[1:], out=cr[:-1])))
        self._last = int(array[-1])

    @property
    def lines(self) -> int:
        """The line breaks, and a last line without one."""
        return self.count + (self._last not in (10, 13))


def _scan(inp: _Input, check_utf8: bool) -> _Scan:
    scan, buffer = _Scan(check_utf8), bytearray(_BLOCK)
    try:
        with inp.binary() as stream:
            while True:
                size = stream.readinto(buffer)
                scan.feed(memoryview(buffer)[:size])
                if not size:
                    return scan
    except OSError as exc:
        raise ReadError(f"{inp.name}: cannot read the file: {exc.strerror or exc}") from None


def _utf8_length(lead: int) -> int:
    return 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def _utf8_tail(block: memoryview) -> int:
    """How many bytes at the end of a block start a UTF-8 sequence the block does not finish."""
    for back in range(1, min(4, len(block)) + 1):
        byte = block[len(block) - back]
        if byte < 0x80:
            return 0
        if byte >= 0xC0:
            return back if _utf8_length(byte) > back else 0
    return 0


def _valid_utf8(data: memoryview) -> bool:
    """True when the bytes are valid UTF-8 (checked by Arrow, fast)."""
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    array = pa.LargeBinaryArray.from_buffers(pa.large_binary(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        array.cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _delimiter_counts(text: str) -> dict[str, int]:
    """How often each delimiter occurs in the first line of a text, outside quotes."""
    counts, quoted = dict.fromkeys(DELIMITERS, 0), False
    for char in text[:_HEADER_LIMIT]:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "\r\n":
            break
        elif not quoted and char in counts:
            counts[char] += 1
    return counts


def _delimiter(given: str | None, name: str) -> str | None:
    if given is None:
        return None
    delimiter = {"tab": "\t", "\\t": "\t"}.get(given.lower(), given)
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise ReadError(f"{name}: the delimiter must be one character (';', ',', tab, '|'), got {given!r}")
    return delimiter


def _check_header(header: list[str], name: str) -> None:
    """Two columns with one name stop the read; columns without a name are the mapping's to judge (an
    empty one is ignored, one with values an unknown-column warning), as in a spreadsheet."""
    seen: dict[str, list[int]] = {}
    for number, cell in enumerate(header, start=1):
        if header_key(cell):
            seen.setdefault(cell, []).append(number)
    twice = [f'"{cell}" (columns {", ".join(map(str, where))})' for cell, where in seen.items() if len(where) > 1]
    if twice:
        raise ReadError(f"{name}: duplicate column names in the header: {'; '.join(twice)}")


def _codec(encoding: str, name: str) -> str:
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        raise ReadError(f"{name}: unknown encoding {encoding!r}") from None
    if not getattr(info, "_is_text_encoding", True):  # rot13, base64, zlib, hex: codecs, not text encodings
        raise ReadError(f"{name}: {encoding!r} is not a text encoding; give one such as utf-8, cp1252 or utf-16")
    return "utf-8" if info.name == "utf-8-sig" else info.name


def _decode_error(inp: _Input, encoding: str, label: str) -> ReadError:
    """The first line that does not decode, as a one-line ReadError."""
    hint = "cp1252" if encoding == "utf-8" else "latin-1" if encoding == "cp1252" else "utf-8"
    with inp.binary() as stream:
        for number, line in enumerate(stream, start=1):
            try:
                line.decode(encoding)
            except UnicodeDecodeError as exc:
                return ReadError(f"{inp.name} line {number}: cannot decode byte 0x{line[exc.start]:02x} "
                                 f"as {label}; try --encoding {hint}")
            except UnicodeError as exc:  # no byte to name: "UTF-16 stream does not start with BOM"
                return ReadError(f"{inp.name}: cannot decode the file as {label} ({exc}); try --encoding {hint}")
    return ReadError(f"{inp.name}: cannot decode the file as {label}; try --encoding {hint}")


def _breaks(text: str) -> int:
    """Line breaks in a text: CRLF, LF and a lone CR each count once."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


# -- reading -------------------------------------------------------------------------------------

def _arrow_frames(inp: _Input, d: _Dialect, options: ReadOptions, rows: int | None,
                  keep: list[int] | None = None) -> Iterator[pd.DataFrame]:
    """Frames of the columns at ``keep`` (default: all) from pyarrow; _Fallback where it cannot be exact.

    Every column is parsed (its line breaks give the start lines, its values whether a record is empty),
    as bytes the stream has checked or transcoded: pyarrow's check per value is the slower one.
    """
    invalid: list[Any] = []

    def on_invalid(row: Any) -> str:
        invalid.append(row)
        return "skip"

    types = dict.fromkeys(d.header, pa.large_binary())
    stream = _Utf8Stream(inp.binary(), d.encoding, count_lines=d.lines is None)
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(use_threads=False, block_size=_BLOCK, skip_rows=d.skip),
            parse_options=pacsv.ParseOptions(delimiter=d.delimiter, newlines_in_values=True,
                                             ignore_empty_lines=False, invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(column_types=types, null_values=[], strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False))
        if reader.schema.names != d.header or reader.schema.types != [pa.large_binary()] * len(d.header):
            raise _Fallback()
        line, seen, last = d.first_line, 0, d.first_line
        pending: list[tuple[pa.Table, np.ndarray]] = []
        for batch in reader:
            breaks, filled = _shape(batch)
            starts = line + np.concatenate(([0], np.cumsum(1 + breaks)))
            if invalid and invalid[0].number is not None and invalid[0].number - d.skip - 2 <= seen + batch.num_rows:
                raise _ragged(inp.name, d, int(starts[invalid[0].number - d.skip - 2 - seen]),
                              invalid[0].actual_columns, invalid[0].text)
            line, seen, last = int(starts[-1]), seen + batch.num_rows, starts[-2] if batch.num_rows else last
            table, starts = pa.Table.from_batches([batch]), starts[:-1]
            table = table if keep is None else table.select(keep)
            if not filled.all():
                table, starts = table.filter(pa.array(filled)), starts[filled]
            pending.append((table, starts))
            while rows is not None and sum(len(s) for _, s in pending) >= rows:
                frame, pending = _take(pending, rows)
                yield frame
        if invalid:
            raise _Fallback()
        lines = d.lines if d.lines is not None else stream.lines  # the stream has read to the end
        if seen and lines is not None and line - 1 > lines:
            raise _unclosed(inp.name, int(last))
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        if "UTF8" in str(exc) or isinstance(exc, UnicodeDecodeError):
            raise _decode_error(inp, d.encoding, options.encoding or d.encoding) from None
        raise _Fallback() from None
    finally:
        stream.close()
    if sum(len(s) for _, s in pending):
        yield _take(pending, None)[0]


def _shape(batch: pa.RecordBatch) -> tuple[np.ndarray, np.ndarray]:
    """Per record: the line breaks inside its values (it spans that many more lines), and whether it
    holds a value (blank lines and records of empty values carry no data)."""
    breaks = np.zeros(batch.num_rows, dtype=np.int64)
    blank = np.arange(batch.num_rows)  # the records whose values are all empty so far
    for column in batch.columns:
        _, offsets, data = column.buffers()
        bounds = np.frombuffer(offsets, dtype=np.int64, count=len(column) + 1, offset=8 * column.offset)
        if len(blank):
            blank = blank[bounds[blank + 1] == bounds[blank]]
        if data is not None and bounds[-1] > bounds[0]:
            values = np.frombuffer(data, dtype=np.uint8, count=bounds[-1] - bounds[0], offset=bounds[0])
            if values.min() <= 13:
                breaks += _value_breaks(bounds - bounds[0], values)
    filled = np.ones(batch.num_rows, dtype=bool)
    filled[blank] = False
    return breaks, filled


def _value_breaks(bounds: np.ndarray, data: np.ndarray) -> np.ndarray | int:
    """Line breaks in each value of a column (CRLF, LF and a lone CR once each): values ``bounds`` apart."""
    at = np.flatnonzero(data <= 13)
    at = at[(data[at] == 10) | (data[at] == 13)]
    if not len(at):
        return 0
    code, row = data[at], np.searchsorted(bounds, at, side="right") - 1
    lf_of_crlf = np.zeros(len(at), dtype=bool)
    lf_of_crlf[1:] = (code[1:] == 10) & (code[:-1] == 13) & (at[1:] == at[:-1] + 1) & (row[1:] == row[:-1])
    return np.bincount(row[~lf_of_crlf], minlength=len(bounds) - 1)


def _take(pending: list[tuple[pa.Table, np.ndarray]], rows: int | None) -> tuple[pd.DataFrame, list]:
    table = pa.concat_tables([t for t, _ in pending])
    starts = np.concatenate([s for _, s in pending])
    cut = len(starts) if rows is None else rows
    head = table.slice(0, cut).combine_chunks()
    frame = _text_frame(head.column_names, [pd.array(column.cast(options=_AS_TEXT), dtype="str")
                                            for column in head.columns], pd.Index(starts[:cut], name="row"))
    return frame, ([(table.slice(cut), starts[cut:])] if cut < len(starts) else [])


def _python_frames(inp: _Input, d: _Dialect, options: ReadOptions, rows: int | None,
                   skip: int) -> Iterator[pd.DataFrame]:
    """Frames from the csv module (exact, slower), after the first ``skip`` records."""
    encoding = "utf-8-sig" if d.encoding == "utf-8" else d.encoding
    records: list[list[str]] = []
    starts: list[int] = []
    with io.TextIOWrapper(cast(IO[bytes], inp.binary()), encoding=encoding, newline="") as text:
        reader = _csv.reader(_terminated(text), delimiter=d.delimiter, quotechar='"', doublequote=True,
                             strict=False)
        header, line, last = None, 0, (0, [""])
        try:
            for record in reader:
                start, line = line + 1, reader.line_num
                if not record:
                    continue  # a blank line
                last = (start, record)
                if header is None:
                    header = record
                    continue
                if len(record) != len(d.header):
                    raise _ragged(inp.name, d, start, len(record), d.delimiter.join(record))
                if not any(record):
                    continue  # every value empty: no data
                if skip:
                    skip -= 1  # already given
                    continue
                records.append(record)
                starts.append(start)
                if rows is not None and len(records) == rows:
                    yield _frame(d.header, records, starts)
                    records, starts = [], []
        except _csv.Error as exc:
            problem = str(exc)
            if "field limit" in problem:
                problem = f"a value longer than {_csv.field_size_limit():,} characters; is a closing quote missing?"
            raise ReadError(f"{inp.name} line {line + 1}: {problem}") from None
        except UnicodeDecodeError:
            raise _decode_error(inp, d.encoding, options.encoding or d.encoding) from None
    if last[0] + sum(_breaks(v) for v in last[1]) > line:  # its values ran past the last line break
        raise _unclosed(inp.name, last[0])
    if records:
        yield _frame(d.header, records, starts)


def _terminated(lines: Iterator[str]) -> Iterator[str]:
    """The lines, the last one with a line break if it has none (a value still quoted there holds it)."""
    for line in lines:
        yield line if line.endswith(("\n", "\r")) else line + "\n"


def _ragged(name: str, d: _Dialect, line: int, fields: int, text: str) -> ReadError:
    hint = "; is a closing quote missing?" if "\n" in text or "\r" in text else ""
    return ReadError(f"{name} line {line}: {fields} field{'s' if fields != 1 else ''}, but the header has "
                     f"{len(d.header)} (delimiter {d.delimiter!r}){hint}")


def _unclosed(name: str, line: int) -> ReadError:
    return ReadError(f"{name} line {line}: a quoted value is never closed; it runs to the end of the file")


def _frame(header: list[str], records: list[list[str]], starts: Sequence[int]) -> pd.DataFrame:
    return _text_frame(header, [pd.array(c, dtype=str) for c in zip(*records)],
                       pd.Index(list(starts), dtype="int64", name="row"))


def _text_frame(names: Sequence[str], columns: Sequence[Any], index: pd.Index) -> pd.DataFrame:
    """Columns by position under their header names, which may repeat (columns without a header: "")."""
    frame = pd.DataFrame(dict(enumerate(columns)), index=index, copy=False)
    if len(names):
        frame.columns = pd.Index(list(names))
    return frame


# -- writing -------------------------------------------------------------------------------------

class Writer:
    """The guide's CSV: UTF-8, ';', every field and header quoted, inner '"' doubled, LF after each record.

    The header is the columns exactly as given (the delivery's are canonical, upper case); values are
    written as they are: no formula escaping, no trimming.
    """

    def __init__(self, path: str | Path, columns: Sequence[str]) -> None:
        self.path, self.columns = Path(path), list(columns)
        if len(set(self.columns)) != len(self.columns):
            raise ValueError(f"duplicate columns: {self.columns}")
        self._schema = pa.schema([(c, pa.large_string()) for c in self.columns])
        try:
            self._sink = pa.OSFile(str(self.path), "wb")
            self._writer = pacsv.CSVWriter(self._sink, self._schema, write_options=pacsv.WriteOptions(
                include_header=True, delimiter=";", quoting_style="all_valid"))
        except (OSError, pa.ArrowException) as exc:
            raise WriteError(f"cannot write {self.path}: {exc}") from None

    def write(self, frame: pd.DataFrame) -> None:
        """Append the frame's records (its columns named at construction, every value a str)."""
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise ValueError(f"the frame lacks the columns {missing}")
        arrays = []
        for column in self.columns:
            values = frame[column]
            try:
                if not (values.dtype == object or isinstance(values.dtype, pd.StringDtype)):
                    raise pa.ArrowTypeError(str(values.dtype))
                arrays.append(pa.array(values, type=pa.large_string(), from_pandas=True).fill_null(""))
            except (pa.ArrowTypeError, pa.ArrowInvalid):
                raise TypeError(f"column {column}: every value must be a str") from None
        try:
            self._writer.write_table(pa.Table.from_arrays(arrays, schema=self._schema))
        except (OSError, pa.ArrowException) as exc:
            raise WriteError(f"cannot write {self.path}: {exc}") from None

    def close(self) -> None:
        """Finish the file."""
        try:
            self._writer.close()
            self._sink.close()
        except (OSError, pa.ArrowException) as exc:
            raise WriteError(f"cannot write {self.path}: {exc}") from None

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
