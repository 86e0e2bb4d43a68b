"""One module per file format, looked up by extension (and by content where the extension lies).

The contract every format module keeps:

* ``NAME`` (``"csv"``) and ``EXTENSIONS`` (``(".csv", ".txt")``).
* ``read(source, options) -> DataFrame`` (readers only): ``source`` is a path or a binary file
  object; the result has the source's own headers as columns (XML: canonical columns; JSON: API names,
  list items already expanded to canonical ``_1.._3`` columns), **every value a ``str``**, an empty
  cell ``""`` (never NaN/None), and an integer index named ``row`` holding the position a user sees:
  the file line for CSV (header = line 1), the sheet row for spreadsheets, the 1-based record position
  for XML and JSON. Problems that stop reading raise :class:`alphaimport.errors.ReadError` (or a
  subclass) with a one-line message naming the file and line where known.
* ``read_chunks(source, options, rows) -> Iterator[DataFrame]`` (optional, for streaming): the same
  frames in pieces of at most ``rows`` records.
* ``Writer(path, columns)`` (writers only): ``.write(frame)`` appends records (canonical columns,
  all ``str``, ``""`` empty), ``.close()`` finishes the file. Streaming: memory must not grow with the
  number of records.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO, Callable, Union

from alphaimport.errors import ReadError, UnsupportedFormat

Source = Union[str, Path, BinaryIO]

#: module name per format, in the order content sniffing tries them
MODULES = ("csv", "xlsx", "xls", "ods", "xml", "json")
WRITABLE = ("csv", "xml", "xlsx", "ods")


@dataclass(frozen=True)
class ReadOptions:
    """What a user may tell a reader; None means detect."""

    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    columns: Callable[[str], bool] | None = None  # the headers to read; a reader may read all the same


def file_object_bytes(source: BinaryIO) -> tuple[str, bytes]:
    """(the file's name for messages, all its bytes) of a file object; ReadError for a text-mode file."""
    name = getattr(source, "name", None)
    label = Path(name).name if isinstance(name, str) and name else "input"
    data = source.read()
    if not isinstance(data, bytes):
        raise ReadError(f"{label}: open the file in binary mode ('rb')")
    return label, data


def module(name: str) -> ModuleType:
    """The format module called ``name`` (csv, xlsx, xls, ods, xml, json)."""
    if name not in MODULES:
        raise UnsupportedFormat(f"unknown format {name!r}; known: {', '.join(MODULES)}")
    return importlib.import_module(f"alphaimport.formats.{name}")


def for_path(path: str | Path) -> ModuleType:
    """The format module for a file, by extension."""
    suffix = Path(path).suffix.lower()
    for name in MODULES:
        mod = module(name)
        if suffix in mod.EXTENSIONS:
            return mod
    raise UnsupportedFormat(
        f"{Path(path).name}: no reader for '{suffix or 'no extension'}'; "
        "use .csv, .xlsx, .xlsm, .xls, .ods, .xml or .json"
    )


def writer(name: str) -> Any:
    """The Writer class of an output format (csv, xml, xlsx, ods)."""
    if name not in WRITABLE:
        raise UnsupportedFormat(f"cannot write {name!r}; choose one of {', '.join(WRITABLE)}")
    return module(name).Writer
