"""XLSX and XLSM: read with python-calamine (data only), written as one sheet of inline text cells.

Reading never runs a macro (a .xlsm's vbaProject.bin is never opened) and never follows an external
link: a formula gives the value cached in the file. Before calamine sees a sheet, the sheet's XML is
scanned for the rectangle its cells span, because calamine allocates that rectangle whole: a 5 kB file
naming cells A1 and XFD1048576 would ask for 550 GB and abort the process.

Writing streams the sheet XML straight into the zip (no library: measured 3x faster than xlsxwriter's
constant_memory mode, see benchmarks/write_spreadsheets.py). Every cell is an inline string, so no
reader can take ``=1+1`` for a formula or ``00123`` for a number; a value with leading or trailing
white space is marked ``xml:space="preserve"``, a carriage return is written ``&#13;`` so XML keeps it,
and text that looks like Excel's own escape (``_x0041_``) is escaped as Excel does (``_x005F_x0041_``).
"""
from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from typing import Iterator

import pandas as pd
from lxml import etree

from alphaimport.errors import ReadError
from alphaimport.formats import ReadOptions, Source
from alphaimport.formats.spreadsheet import MAX_CELLS, Package, TextSheetWriter, check_cells, frames

NAME = "xlsx"
EXTENSIONS = (".xlsx", ".xlsm")


def read(source: Source, options: ReadOptions) -> pd.DataFrame:
    """The first (or the named) sheet as text, indexed by sheet row; see alphaimport.formats."""
    return next(frames(source, options, guard=check_extent))


def read_chunks(source: Source, options: ReadOptions, rows: int) -> Iterator[pd.DataFrame]:
    """The same frame in pieces of at most ``rows`` records."""
    return frames(source, options, rows, guard=check_extent)


# -- the rectangle a sheet spans, from its XML, before calamine allocates it ---------------------------

_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
# a cell tag that is not <c r="A1".."AX999999": a wider sheet, a millionth row, or a cell whose position
# must be followed one by one (no r, r not first, odd spacing); a prefixed tag (<x:c>) is looked for apart
_UNUSUAL = re.compile(rb'<c(?:[\t\n\r/>]| (?!r="(?:A[A-X]|[A-Z])[0-9]{1,6}"))')
_PREFIXED = re.compile(rb':c[\s>/]')
_ODD = re.compile(rb'<c(?:[\t\n\r/>]| (?!r="))')
_ANY_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s>/])([^>]*)>")
_REF = re.compile(rb'\sr="([A-Za-z]*)([0-9]*)"')
_LETTERS = re.compile(rb'<c r="([A-Za-z]+)')
_CHUNK = 16 << 20
_MAX_COLUMNS = 16_384


def check_extent(package: Package, sheet: str, name: str) -> None:
    """UnsafeInput when the XLSX sheet's cells span more than MAX_CELLS (rows x columns)."""
    if package.kind != "xlsx" or package.archive is None:
        return  # xlsb: binary records, read as they are
    archive = package.archive
    part = _sheet_part(archive, sheet)
    # where the workbook does not say which part holds the sheet (a damaged workbook.xml or its rels, which
    # calamine may still read), every XML part is measured: calamine would allocate whichever it loads
    parts = [part] if part in set(archive.namelist()) else [
        info.filename for info in archive.infolist() if info.filename.lower().endswith(".xml")]
    for part in parts:
        try:
            rows, columns = sheet_extent(archive, part)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ReadError(f"{name}: damaged or tampered: part {part} does not match its declared size "
                            f"and checksum ({exc})") from None
        check_cells(rows * columns, name, sheet)


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    try:
        book = etree.fromstring(archive.read("xl/workbook.xml"), _SAFE_XML)
        rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), _SAFE_XML)
    except (KeyError, etree.XMLSyntaxError, zipfile.BadZipFile, OSError):
        return None
    ids = [e.get(_REL_ID) for e in book.iter("{*}sheet") if e.get("name") == sheet]
    targets = [r.get("Target", "") for r in rels.iter(_RELS) if ids and r.get("Id") == ids[0]]
    if not targets:
        return None
    target = targets[0]
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))


def sheet_extent(archive: zipfile.ZipFile, part: str) -> tuple[int, int]:
    """(rows, columns) bounding every cell of a sheet part, exact wherever the product could pass MAX_CELLS.

    One fast scan answers for sheets of up to 50 columns (AX) and 999,999 rows, each cell written
    ``<c r="...">`` as Excel, LibreOffice and the usual libraries write it; anything else is measured
    exactly in two more passes.
    """
    if not any(_UNUSUAL.search(block) or _PREFIXED.search(block) for block in _blocks(archive, part)):
        return 999_999, 50
    walk = _Walk()
    columns = 0
    for block in _blocks(archive, part):
        if _ODD.search(block) or _PREFIXED.search(block):
            walk.follow(block)  # cells placed by count, not by reference: follow them in order
        else:
            walk.skip(block)
            columns = max(columns, 0, *(_column(letters) for letters in set(_LETTERS.findall(block))))
    columns = max(columns, walk.column_max)
    digits = len(str(MAX_CELLS // max(columns, 1)))  # rows with fewer digits cannot pass the limit
    pattern = re.compile(rb'<c r="[A-Za-z]+([0-9]{%d,})"' % digits)
    found = (int(n) for block in _blocks(archive, part) for n in set(pattern.findall(block)))
    return max(walk.row_max, 10 ** (digits - 1) - 1, *found), columns


def _blocks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """The part's bytes in blocks cut after a '>', so no tag straddles two blocks."""
    with archive.open(part) as stream:
        carry = b""
        while chunk := stream.read(_CHUNK):
            block = carry + chunk
            cut = block.rfind(b">") + 1
            yield block[:cut]
            carry = block[cut:]
        if carry:
            yield carry


class _Walk:
    """Follows <row> and <c> tags in order, as calamine places cells that carry no reference."""

    def __init__(self) -> None:
        self.row = self.column = self.row_max = self.column_max = 0

    def skip(self, block: bytes) -> None:
        """Keep count across a block of referenced cells: its last row element."""
        last = block.rfind(b'<row r="')
        if last != -1:
            digits = block[last + 8: block.find(b'"', last + 8)]
            self.row = int(digits) if digits.isdigit() else self.row

    def follow(self, block: bytes) -> None:
        for tag in _ANY_TAG.finditer(block):
            ref = _REF.search(tag.group(2))
            letters, digits = (ref.group(1), ref.group(2)) if ref else (b"", b"")
            if tag.group(1) == b"row":
                self.row, self.column = (int(digits) if digits else self.row + 1), 0
            else:
                self.column = _column(letters) if letters else self.column + 1
                self.row = int(digits) if digits else self.row
            self.row_max, self.column_max = max(self.row_max, self.row), max(self.column_max, self.column)


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


# -- writing --------------------------------------------------------------------------------------------

_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '</Types>'),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG_RELS}"><Relationship Id="rId1" '
        f'Type="{_DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC_RELS}"><bookViews><workbookView/></bookViews>'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG_RELS}">'
        f'<Relationship Id="rId1" Type="{_DOC_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_DOC_RELS}/styles" Target="styles.xml"/></Relationships>'),
    "xl/styles.xml": (  # the one style every cell uses: General, Calibri 11 (what Excel itself writes)
        f'<styleSheet xmlns="{_MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/>'
        '<family val="2"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/>'
        '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
        'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" '
        'fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" '
        'xfId="0" builtinId="0"/></cellStyles></styleSheet>'),
}
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_NEEDS_ESCAPE = re.compile("[&<>\r]|_x[0-9A-Fa-f]{4}_")
_EXCEL_ESCAPE = re.compile("(_x[0-9A-Fa-f]{4}_)")
_EDGE_SPACE = frozenset(" \t\n\r")


def column_letters(index: int) -> str:
    """The letters of a 0-based column: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Writer(TextSheetWriter):
    """One sheet, first row the field names, every cell an inline text cell; see the module docstring."""

    FORMAT = "XLSX"
    SHEET_PART = "xl/worksheets/sheet1.xml"

    def _start_package(self, archive: zipfile.ZipFile) -> None:
        self._letters = [column_letters(i) for i in range(len(self.columns))]
        for part, xml in _PARTS.items():
            archive.writestr(part, _XML_HEAD + xml)

    def _sheet_start(self) -> str:
        return f'{_XML_HEAD}<worksheet xmlns="{_MAIN}"><sheetData>'

    def _row_xml(self, values: list[str], number: int) -> str:
        cells = [f'<row r="{number}">']
        for letters, value in zip(self._letters, values):
            if not value:
                continue
            space = ' xml:space="preserve"' if value[0] in _EDGE_SPACE or value[-1] in _EDGE_SPACE else ""
            if _NEEDS_ESCAPE.search(value):
                value = _EXCEL_ESCAPE.sub(r"_x005F\1", value).translate(_ESCAPE)
            cells.append(f'<c r="{letters}{number}" t="inlineStr"><is><t{space}>{value}</t></is></c>')
        cells.append("</row>")
        return "".join(cells)

    def _sheet_end(self) -> str:
        return "</sheetData></worksheet>"
