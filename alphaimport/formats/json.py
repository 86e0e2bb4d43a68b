"""JSON: a list of API RowInput objects, or the ``{"rows": [...]}`` variables of ``addRecords``.

Scalar API names stay as columns (the mapping stage maps them); list fields (``toPhoneNumbers``,
``invoiceLines*``) are expanded here to their canonical ``_1.._3`` columns.
"""
from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from alphaimport import registry
from alphaimport.errors import ReadError
from alphaimport.formats import ReadOptions, Source, file_object_bytes
from alphaimport.formats.cells import cell_text

NAME = "json"
EXTENSIONS = (".json",)
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Object(dict):  # type: ignore[type-arg]
    """A JSON object that remembers the keys it held more than once."""

    repeated: list[str]


def read(source: Source, options: ReadOptions = ReadOptions()) -> pd.DataFrame:
    """Every RowInput object as one row of text, indexed by its 1-based position."""
    name, data = _load(source)
    text = _decode(data, name, options.encoding)
    if not text.strip():
        raise ReadError(f"{name} is empty")
    try:
        document = json.loads(text, parse_float=Decimal, parse_constant=_constant, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise ReadError(f"{name} line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise ReadError(f"{name}: not valid JSON: nested too deep") from None
    except ValueError as exc:  # NaN/Infinity, over-long integers
        raise ReadError(f"{name}: not valid JSON: {exc}") from None
    rows = [_row(item, number, name) for number, item in enumerate(_items(document, name), start=1)]
    columns = list(dict.fromkeys(key for row in rows for key in row))
    data_ = {c: pd.array([row.get(c, "") for row in rows], dtype=str) for c in columns}
    return pd.DataFrame(data_, index=pd.Index(range(1, len(rows) + 1), dtype="int64", name="row"))


def _load(source: Source) -> tuple[str, bytes]:
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            return path.name, path.read_bytes()
        except OSError as exc:
            raise ReadError(f"{path.name}: cannot read the file: {exc.strerror or exc}") from None
    return file_object_bytes(source)


def _decode(data: bytes, name: str, encoding: str | None) -> str:
    """The text of the file: UTF-8 (with or without BOM) as JSON requires, unless an encoding is forced."""
    try:
        return data.decode(encoding or "utf-8-sig")
    except LookupError:
        raise ReadError(f"{name}: unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ReadError(f"{name} line {line}: cannot decode byte 0x{data[exc.start]:02x} as "
                        f"{encoding or 'utf-8'}; JSON must be UTF-8") from None


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object(pairs)
    keys = [key for key, _ in pairs]
    result.repeated = [k for k in dict.fromkeys(keys) if keys.count(k) > 1] if len(result) != len(keys) else []
    return result


def _constant(word: str) -> Any:
    raise ValueError(f"{word} is not a JSON value")


def _items(document: Any, name: str) -> list[Any]:
    """The list of records: the document itself, or its "rows" (also inside "variables")."""
    if isinstance(document, dict) and isinstance(document.get("variables"), dict):
        document = document["variables"]
    if isinstance(document, dict) and "rows" in document:
        document = document["rows"]
    if not isinstance(document, list):
        raise ReadError(f"{name}: expected a list of RowInput objects or {{\"rows\": [...]}}, "
                        f"got {_kind(document)}")
    return document


def _row(item: Any, number: int, name: str) -> dict[str, str]:
    """One RowInput as {column: text}; list fields spread over their _1.._n columns."""
    where = f"{name} record {number}"
    if not isinstance(item, dict):
        raise ReadError(f"{where}: expected an object, got {_kind(item)}")
    repeated = getattr(item, "repeated", None)
    if repeated:
        raise ReadError(f"{where}: the key {repeated[0]!r} appears twice")
    row: dict[str, str] = {}
    for key, value in item.items():
        if _SURROGATE.search(key):
            raise ReadError(f"{where}: a key holds half a character (a lone surrogate)")
        spec = _list_field(key)
        if spec is None:
            _put(row, key, _scalar(value, f"{where} key {key!r}"), where)
            continue
        # GraphQL coerces a single value given for a list argument to a one-item list; so do we
        items = value if isinstance(value, list) else [] if value is None else [value]
        if len(items) > spec.repeat:
            raise ReadError(f"{where}: {key} holds {len(items)} items; at most {spec.repeat} are allowed")
        for index, entry in enumerate(items, start=1):
            column = registry.default().column_for_api(key, index)
            _put(row, column or key, _scalar(entry, f"{where} {key}[{index - 1}]"), where)
    return row


def _list_field(key: str) -> registry.FieldSpec | None:
    """The first expanded field of an API list name (toPhoneNumbers), or None for a scalar name."""
    column = registry.default().column_for_api(key, 1)
    spec = registry.default().field(column) if column else None
    return spec if spec is not None and spec.api_list else None


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, (dict, list)):
        raise ReadError(f"{where}: expected a single value, got {_kind(value)}")
    text = cell_text(value)
    surrogate = _SURROGATE.search(text)
    if surrogate:  # "\\udfff" alone decodes to no character: it cannot be text in any file
        raise ReadError(f"{where}: \\u{ord(surrogate.group()):04x} is half a character (a lone surrogate)")
    return text


def _put(row: dict[str, str], column: str, text: str, where: str) -> None:
    if column in row:
        raise ReadError(f"{where}: {column} is given twice")
    row[column] = text


def _kind(value: Any) -> str:
    kinds = {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}
    return kinds.get(type(value), "an object" if isinstance(value, dict) else "a number")
