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
``&#13;``.
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


class Writer(TextSheetWriter):
    """One sheet, first row the field names, every cell a string cell; see the module docstring."""

    FORMAT = "ODS"
    SHEET_PART = "content.xml"

    def _start_package(self, archive: zipfile.ZipFile) -> None:
        archive.writestr(zipfile.ZipInfo("mimetype"), MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", _XML_HEAD + _MANIFEST)
        archive.writestr("styles.xml", _XML_HEAD + _STYLES)

    def _sheet_start(self) -> str:
        return (f"{_XML_HEAD}<office:document-content {_NS}><office:body><office:spreadsheet>"
                f'<table:table table:name="Sheet1"><table:table-column '
                f'table:number-columns-repeated="{max(len(self.columns), 1)}"/>')

    def _row_xml(self, values: list[str], number: int) -> str:
        used = len(values)
        while used and not values[used - 1]:
            used -= 1  # trailing empty cells are left out, as LibreOffice does
        cells = ["<table:table-row>" if used else "<table:table-row><table:table-cell/>"]
        for value in values[:used]:
            cells.append(f"{_CELL_START}{paragraphs(value)}{_CELL_END}" if value else "<table:table-cell/>")
        cells.append("</table:table-row>")
        return "".join(cells)

    def _sheet_end(self) -> str:
        return "</table:table></office:spreadsheet></office:body></office:document-content>"
