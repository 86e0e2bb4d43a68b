"""XML: the guide's ``<annabel><record><category><field>`` layout, read safely and streamed.

Reading refuses any DOCTYPE (the door to external entities, entity expansion bombs and network
access) before lxml sees the document, and parses with entities, DTDs and the network switched off.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import IO, Any, Iterator, Sequence

import pandas as pd
from lxml import etree

from alphaimport import registry
from alphaimport.errors import ReadError, UnsafeInput, WriteError
from alphaimport.formats import ReadOptions, Source

NAME = "xml"
EXTENSIONS = (".xml",)
ROOT, RECORD = "annabel", "record"
_PROLOG_LIMIT = 1 << 20  # bytes read to find the prolog's end
_REFUSED = ("{name}: a DTD / DOCTYPE is not allowed in the input (it can pull in other files or expand "
            "entities); remove the <!DOCTYPE ...> declaration")
_SAFE = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, dtd_validation=False)


def read(source: Source, options: ReadOptions = ReadOptions()) -> pd.DataFrame:
    """Every <record> as one row of text: canonical columns, unknown element pairs as 'category/field'."""
    name, stream = _open(source)
    with stream:
        records = list(_records(stream, name))
    columns = _columns(key for record in records for key in record)
    return _frame(records, columns, start=1)


def read_chunks(source: Source, options: ReadOptions, rows: int) -> Iterator[pd.DataFrame]:
    """The records in frames of at most ``rows``; a first pass collects the columns so every frame has them all."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    name, stream = _open(source)
    with stream:
        columns = _columns(key for record in _records(stream, name) for key in record)
        stream.seek(0)
        batch: list[dict[str, str]] = []
        start = 1
        for record in _records(stream, name):
            batch.append(record)
            if len(batch) == rows:
                yield _frame(batch, columns, start)
                start, batch = start + rows, []
    if batch or start == 1:
        yield _frame(batch, columns, start)


def _open(source: Source) -> tuple[str, IO[bytes]]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            return path.name, open(path, "rb")
        except OSError as exc:
            raise ReadError(f"{path.name}: cannot read the file: {exc.strerror or exc}") from None
    name = getattr(source, "name", None)
    label = Path(name).name if isinstance(name, str) and name else "input"
    data = source.read()
    if not isinstance(data, bytes):
        raise ReadError(f"{label}: open the file in binary mode ('rb')")
    return label, io.BytesIO(data)


def refuse_doctype(prefix: bytes, name: str) -> None:
    """Raise UnsafeInput when the document's prolog holds a DOCTYPE; ReadError when it is empty."""
    text = _prefix_text(prefix)
    if not text.strip():
        raise ReadError(f"{name} is empty")
    position = 0
    while position < len(text):
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if text.startswith("<?", position):
            close = "?>"
        elif text.startswith("<!--", position):
            close = "-->"
        else:
            break
        end = text.find(close, position)
        if end < 0 and len(prefix) < _PROLOG_LIMIT:
            return  # an unclosed comment: the parser reports where
        if end < 0:
            raise UnsafeInput(f"{name}: more than {_PROLOG_LIMIT:,} bytes of comments before the root element")
        position = end + len(close)
    if re.match(r"<!\s*DOCTYPE", text[position:position + 32], re.IGNORECASE):
        raise UnsafeInput(_REFUSED.format(name=name))


def _prefix_text(prefix: bytes) -> str:
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if prefix.startswith(bom):
            return prefix[len(bom):].decode(encoding, errors="replace")
    return prefix.removeprefix(b"\xef\xbb\xbf").decode("latin-1")  # markup is ASCII in any other case


def _records(stream: IO[bytes], name: str) -> Iterator[dict[str, str]]:
    """Each <record> as {column: text}, parsed safely and cleared as it goes."""
    refuse_doctype(stream.read(_PROLOG_LIMIT), name)
    stream.seek(0)
    depth, record, category = 0, 0, None
    values: dict[str, str] = {}
    etree.clear_error_log()  # lxml keeps earlier documents' errors in a shared log
    try:
        for event, element in etree.iterparse(stream, events=("start", "end"), **_SAFE):
            if event == "start":
                depth += 1
                if depth == 1:
                    _check_root(element, name)
                elif depth == 2 and element.tag != RECORD:
                    raise ReadError(f"{name} line {element.sourceline}: <{_tag(element)}> inside <{ROOT}>; "
                                    f"expected <{RECORD}>")
                elif depth == 2:
                    record, values = record + 1, {}
                elif depth == 3:
                    category = _tag(element)
                elif depth > 4:
                    raise ReadError(f"{name} line {element.sourceline}: <{_tag(element)}> is nested too deep; "
                                    "a record holds categories holding fields")
                continue
            depth -= 1
            if depth == 3:
                _put(values, _column(category, _tag(element)), _text(element, name), element, name)
            elif depth == 2 and len(element) == 0 and _text(element, name).strip():
                _put(values, category or "", _text(element, name), element, name)
            elif depth == 2 and _text(element, name).strip():
                raise ReadError(f"{name} line {element.sourceline}: <{category}> holds both text and elements")
            elif depth == 1:
                yield values
                element.clear()
                while element.getprevious() is not None:
                    del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, name) from None


def _syntax_error(exc: etree.XMLSyntaxError, name: str) -> ReadError:
    """A one-line ReadError from lxml's first fatal error (iterparse's own message can be vaguer)."""
    fatal = list(exc.error_log.filter_from_fatals()) or list(exc.error_log)
    line, message = (fatal[0].line, fatal[0].message) if fatal else (exc.lineno, exc.msg or str(exc))
    message = re.sub(r", line \d+, column \d+$", "", message.strip())
    if not line:
        return ReadError(f"{name}: not well-formed XML: {message}")
    return ReadError(f"{name} line {line}: {message}")


def _check_root(element: Any, name: str) -> None:
    docinfo = element.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # the prefix check missed it: still refuse
        raise UnsafeInput(_REFUSED.format(name=name))
    if element.tag != ROOT:
        raise ReadError(f"{name}: the root element is <{element.tag}>; an Annabel file starts with <{ROOT}>")


def _tag(element: Any) -> str:
    return element.tag if isinstance(element.tag, str) else str(element)


def _text(element: Any, name: str) -> str:
    """The element's own text (comments and processing instructions inside it are skipped)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            raise UnsafeInput(f"{name} line {child.sourceline}: entity reference {child.text} is not allowed")
        parts.append(child.tail or "")
    return "".join(parts)


def _column(category: str | None, field: str) -> str:
    return registry.default().column_for_xml(category or "", field) or f"{category}/{field}"


def _put(values: dict[str, str], column: str, text: str, element: Any, name: str) -> None:
    if column in values:
        raise ReadError(f"{name} line {element.sourceline}: {column} appears twice in one record")
    values[column] = text


def _columns(keys: Iterator[str]) -> list[str]:
    """Canonical columns in registry order, then unknown ones in order of appearance."""
    seen = list(dict.fromkeys(keys))
    known = registry.default().order(seen)
    return known + [c for c in seen if c not in set(known)]


def _frame(records: list[dict[str, str]], columns: list[str], start: int) -> pd.DataFrame:
    data = {c: pd.array([r.get(c, "") for r in records], dtype=str) for c in columns}
    index = pd.Index(range(start, start + len(records)), dtype="int64", name="row")
    return pd.DataFrame(data, index=index)


class Writer:
    """The guide's XML: UTF-8, <annabel>, one <record> per record, empty fields and categories left out."""

    def __init__(self, path: str | Path, columns: Sequence[str]) -> None:
        reg = registry.default()
        unknown = [c for c in columns if c not in reg]
        if unknown:
            raise ValueError(f"not fields of the registry: {unknown}")
        self.path, self.columns = Path(path), reg.order(columns)
        self._paths = [reg.xml_path(c) for c in self.columns]
        self._written = 0
        try:
            self._file = open(self.path, "wb")
            self._context = etree.xmlfile(self._file, encoding="utf-8")
            self._xml = self._context.__enter__()
            self._xml.write_declaration()
            self._root = self._xml.element(ROOT)
            self._root.__enter__()
            self._xml.write("\n")
        except OSError as exc:
            raise WriteError(f"cannot write {self.path}: {exc.strerror or exc}") from None

    def write(self, frame: pd.DataFrame) -> None:
        """Append one <record> per row of the frame."""
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise ValueError(f"the frame lacks the columns {missing}")
        for values in zip(*(frame[c].tolist() for c in self.columns)):
            self._written += 1
            self._xml.write(self._record(values), pretty_print=False)
            self._xml.write("\n")

    def _record(self, values: tuple[Any, ...]) -> Any:
        record = etree.Element(RECORD)
        category = None
        for column, (category_name, field_name), value in zip(self.columns, self._paths, values):
            if value is None or value != value or value == "":
                continue  # empty fields (and so empty categories) are left out
            if category is None or category.tag != category_name:
                category = etree.SubElement(record, category_name)
            try:
                etree.SubElement(category, field_name).text = value
            except (TypeError, ValueError) as exc:
                raise WriteError(f"cannot write {self.path}: record {self._written} {column}: {exc}") from None
        return record

    def close(self) -> None:
        """Close </annabel> and the file."""
        try:
            self._root.__exit__(None, None, None)
            self._context.__exit__(None, None, None)
        finally:
            self._file.close()

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
