"""ODS (OpenDocument spreadsheet): read with python-calamine, written as one sheet of text cells.

Reading: calamine refuses sheets over 100 million cells itself (ODS repeats rows and columns by
count), and the shared reader refuses over MAX_CELLS; an encrypted ODS (``encryption-data`` in its
manifest) is refused with a message. Known gap: calamine drops ``<text:tab/>`` and
``<text:line-break/>`` inside a cell ("a<tab>b" reads "ab"); LibreOffice writes neither in
ordinary cells.

Writing streams ``content.xml`` into the zip after the ``mimetype`` (stored, first), the manifest and
a minimal ``styles.xml`` (odfpy builds the document in memory: measured ~30x slower). Every cell has
``office:value-type="string"``; a line break starts a new ``<text:p>``; a space at either end or after
another space is ``<text:s/>`` (ODF collapses plain runs of spaces); a tab is written as the character
(calamine, pandas and LibreOffice all keep it; calamine drops ``<text:tab/>``); a carriage return is
``&#13;``. A batch of rows is built at once (its values joined by separators XML forbids, encoded, then
escaped and marked up by whole-batch replaces); :meth:`Writer._row_xml` gives the same XML row by row.
"""
from __future__ import annotations

import re
import zipfile

from alphaimport.formats.spreadsheet import TextSheetWriter
# the same calamine reading and cell-range guard as XLSX
from alphaimport.formats.xlsx import read, read_chunks  # noqa: F401 (the format contract)

NAME = "ods"
EXTENSIONS = (".ods",)


# -- writing --------------------------------------------------------------------------------------------

MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
       'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
       'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')
_MANIFEST = (
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="{MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    '<manifest:file-entry manifest:full-path="styles.xml" manifest:media-type="text/xml"/>'
    '</manifest:manifest>')
_STYLES = f"<office:document-styles {_NS}/>"
_CELL_START = '<table:table-cell office:value-type="string"><text:p>'
_CELL_END = "</text:p></table:table-cell>"
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_SPACES = re.compile(" {2,}")
_EMPTY_CELL = "<table:table-cell/>"
_ROW_START, _ROW_END = "<table:table-row>", "</table:table-row>"

# Writer._rows_xml: the batch's values joined by separators XML 1.0 forbids (so no value holds them),
# encoded, then escaped and marked up by whole-batch replaces of ASCII bytes (UTF-8 never puts an ASCII
# byte inside a multi-byte character); a paragraph ends at a line break or a separator
_CELL_SEP, _ROW_SEP = "\x00", "\x01"
_NOT_XML_BUT_SEPARATORS = re.compile("[^\x00\x01\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TRAILING_EMPTY = re.compile(rb"\x00+(?=\x01|\Z)")
_ENTITIES = ((b"&", b"&amp;"), (b"<", b"&lt;"), (b">", b"&gt;"), (b"\r", b"&#13;"))  # & first
_EDGES = (b"\n ", b" \n", b"\x00 ", b" \x00", b"\x01 ", b" \x01")
_SPACES_TO_MARK = re.compile(rb" {2,}|(?<![^\n\x00\x01]) | (?![^\n\x00\x01])")
# while a batch is assembled, one control byte stands for each piece of markup
_MARKUP = tuple((token, markup.encode()) for token, markup in (
    (b"\x02", _CELL_START), (b"\x03", _CELL_END), (b"\x04", _ROW_START), (b"\x05", _ROW_END),
    (b"\x06", _EMPTY_CELL), (b"\n", "</text:p><text:p>")))


def paragraphs(value: str) -> str:
    """The ``<text:p>`` content of a cell value (without the outer tags of the first and last)."""
    if "\n" not in value and "  " not in value and value[0] != " " and value[-1] != " ":
        return value.translate(_ESCAPE)
    return "</text:p><text:p>".join(_paragraph(p.translate(_ESCAPE)) for p in value.split("\n"))


def _paragraph(text: str) -> str:
    text = _SPACES.sub(lambda m: " " + _space_run(len(m.group()) - 1), text)
    if text.startswith(" "):
        text = "<text:s/>" + text[1:]
    if text.endswith(" "):
        text = text[:-1] + "<text:s/>"
    return text


def _space_run(count: int) -> str:
    return "<text:s/>" if count == 1 else f'<text:s text:c="{count}"/>'


def _marked_spaces(match: re.Match[bytes]) -> bytes:
    """:func:`_paragraph`'s spaces in a batch: a run of two or more, or one space at a paragraph's edge."""
    run, start = len(match.group()), match.start()
    if run == 1:
        return b"<text:s/>"  # only matched at an edge
    first = start == 0 or match.string[start - 1] in b"\n\x00\x01"
    return (b"<text:s/>" if first else b" ") + _space_run(run - 1).encode()


class Writer(TextSheetWriter):
    """One sheet, first row the field names, every cell a string cell; see the module docstring."""

    FORMAT = "ODS"
    SHEET_PART = "content.xml"
    # content.xml is ~10x its text in markup: level 3 deflates it ~2.5x faster than 6, the file ~23% larger
    COMPRESSLEVEL = 3

    def _start_package(self, archive: zipfile.ZipFile) -> None:
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _XML_HEAD + _MANIFEST)
        archive.writestr("styles.xml", _XML_HEAD + _STYLES)

    def _sheet_start(self) -> str:
        return (f"{_XML_HEAD}<office:document-content {_NS}><office:body><office:spreadsheet>"
                f'<table:table table:name="Sheet1"><table:table-column '
                f'table:number-columns-repeated="{max(len(self.columns), 1)}"/>')

    def _rows_xml(self, batch: list[list[str]]) -> bytes | None:
        """The batch's XML built at once: the same bytes as :meth:`_row_xml` row by row."""
        text = _ROW_SEP.join(map(_CELL_SEP.join, batch))
        if (_NOT_XML_BUT_SEPARATORS.search(text) or text.count(_ROW_SEP) != len(batch) - 1
                or text.count(_CELL_SEP) != sum(map(len, batch)) - len(batch)):
            return super()._rows_xml(batch)  # a value holds a forbidden character (or a row has no cell)
        data = text.encode("utf-8")
        if b"\x00\x01" in data or data.endswith(b"\x00"):
            data = _TRAILING_EMPTY.sub(b"", data)  # trailing empty cells are left out, as LibreOffice does
        for char, entity in _ENTITIES:
            if char in data:
                data = data.replace(char, entity)
        if b"  " in data or data[:1] == b" " or data[-1:] == b" " or any(edge in data for edge in _EDGES):
            data = _SPACES_TO_MARK.sub(_marked_spaces, data)
        data = b"".join((b"\x04\x02", data.replace(b"\x00", b"\x03\x02").replace(b"\x01", b"\x03\x05\x04\x02"),
                         b"\x03\x05"))
        data = data.replace(b"\x02\x03", b"\x06")  # nothing between a cell's start and end: an empty value
        for token, markup in _MARKUP:
            data = data.replace(token, markup)
        return data

    def _row_xml(self, values: list[str], number: int) -> str:
        used = len(values)
        while used and not values[used - 1]:
            used -= 1  # trailing empty cells are left out, as LibreOffice does
        cells = [_ROW_START if used else _ROW_START + _EMPTY_CELL]
        for value in values[:used]:
            cells.append(f"{_CELL_START}{paragraphs(value)}{_CELL_END}" if value else _EMPTY_CELL)
        cells.append(_ROW_END)
        return "".join(cells)

    def _sheet_end(self) -> str:
        return "</table:table></office:spreadsheet></office:body></office:document-content>"
