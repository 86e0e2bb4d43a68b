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
from alphaimport.formats import ReadOptions, Source, file_object_bytes

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
    label, data = file_object_bytes(source)
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
    etree.clear_error_log()  # lxml keeps earlier documents' errors in a shared log
    columns: dict[tuple[str, str], str] = {}
    root = None
    try:
        events = etree.iterparse(stream, events=("end",), tag=RECORD, **_SAFE)
        for _, record in events:  # only <record> ends reach Python: fast
            parent = record.getparent()
            if root is None:
                root = _check_root(record.getroottree().getroot(), name)
            if parent is not root:
                raise ReadError(f"{name} line {record.sourceline}: <{RECORD}> inside <{parent.tag}>; "
                                f"a <{RECORD}> belongs directly in <{ROOT}>")
            _check_children(root, name, stop=record)
            yield _values(record, name, columns)
            record.clear()
            while record.getprevious() is not None:
                del parent[0]
        _check_children(root if root is not None else _check_root(events.root, name), name, stop=None)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, name) from None


def _values(record: Any, name: str, columns: dict[tuple[str, str], str]) -> dict[str, str]:
    """One record's {column: text}, its categories holding fields."""
    values: dict[str, str] = {}
    for category in record:
        tag = category.tag
        if not isinstance(tag, str):
            continue  # a comment or processing instruction
        if len(category) == 0:  # a category holding only text: a column of its own name
            if category.text and category.text.strip():
                _put(values, tag, category.text, category, name)
            continue
        if category.text and not category.text.isspace():
            raise _mixed(category, name)
        for field in category:
            if field.tail and not field.tail.isspace():
                raise _mixed(category, name)
            if not isinstance(field.tag, str):
                continue
            column = columns.get((tag, field.tag))
            if column is None:
                column = columns[tag, field.tag] = registry.default().column_for_xml(tag, field.tag) or f"{tag}/{field.tag}"
            _put(values, column, (field.text or "") if len(field) == 0 else _text(field, name), field, name)
    return values


def _mixed(category: Any, name: str) -> ReadError:
    return ReadError(f"{name} line {category.sourceline}: <{category.tag}> holds both text and elements")


def _check_children(root: Any, name: str, stop: Any) -> None:
    """Every element of <annabel> (up to ``stop``) is a <record>."""
    for child in root:
        if child is stop:
            return
        if isinstance(child.tag, str) and child.tag != RECORD:
            raise ReadError(f"{name} line {child.sourceline}: <{child.tag}> inside <{ROOT}>; expected <{RECORD}>")


def _syntax_error(exc: etree.XMLSyntaxError, name: str) -> ReadError:
    """A one-line ReadError from lxml's first fatal error (iterparse's own message can be vaguer)."""
    log: Any = exc.error_log
    fatal = list(log.filter_from_fatals()) or list(log)
    line, message = (fatal[0].line, fatal[0].message) if fatal else (exc.lineno, exc.msg or str(exc))
    message = re.sub(r", line \d+, column \d+$", "", message.strip())
    message = re.sub(r"^Excessive depth in document: (\d+).*", r"elements nested more than \1 deep", message)
    if not line:
        return ReadError(f"{name}: not well-formed XML: {message}")
    return ReadError(f"{name} line {line}: {message}")


def _check_root(element: Any, name: str) -> Any:
    """The root element, when it is <annabel> and the document has no DTD."""
    docinfo = element.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # the prefix check missed it: still refuse
        raise UnsafeInput(_REFUSED.format(name=name))
    if element.tag != ROOT:
        raise ReadError(f"{name}: the root element is <{element.tag}>; an Annabel file starts with <{ROOT}>")
    return element


def _text(field: Any, name: str) -> str:
    """A field's text around the comments and processing instructions inside it."""
    parts = [field.text or ""]
    for child in field:
        if isinstance(child, etree._Entity):
            raise UnsafeInput(f"{name} line {child.sourceline}: entity reference {child.text} is not allowed")
        if isinstance(child.tag, str):
            raise ReadError(f"{name} line {child.sourceline}: <{child.tag}> is nested too deep; "
                            "a record holds categories holding fields")
        parts.append(child.tail or "")
    return "".join(parts)


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
