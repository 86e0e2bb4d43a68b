"""Time writing 100,000 records x 26 text columns as XLSX and ODS with each candidate; prints figures.

    python benchmarks/write_spreadsheets.py [--rows 100000] [--only NAME ...]

Candidates, each writing every cell as a text cell through the same frame iteration:
  xlsx: ours (alphaimport.formats.xlsx.Writer: sheet XML streamed into the zip), xlsxwriter in
        constant_memory mode with write_string, openpyxl write-only with cells typed 's';
  ods:  ours (alphaimport.formats.ods.Writer: content.xml streamed into the zip), content.xml streamed
        with lxml's etree.xmlfile, odfpy (whole document in memory; run on a tenth of the rows and
        scaled, as it takes minutes at full size).
"""
from __future__ import annotations

import argparse
import random
import string
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd

from alphaimport.formats import ods, xlsx

COLUMNS = [f"FIELD_{i:02d}" for i in range(26)]
CHUNK = 10_000


def records(rows: int) -> pd.DataFrame:
    """Realistic delivery text: names, digits with leading zeros, dates, amounts, some empty cells."""
    rng = random.Random(2027)
    pool = ["".join(rng.choices(string.ascii_letters + " ", k=rng.randint(3, 18))) for _ in range(3000)]
    pool += [f"0{rng.randint(600000000, 699999999)}" for _ in range(1000)] + ["", "", "00123", "2027-12-31"]
    return pd.DataFrame([[rng.choice(pool) for _ in COLUMNS] for _ in range(rows)], columns=COLUMNS, dtype=object)


def chunks(frame: pd.DataFrame) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), CHUNK):
        yield frame.iloc[start:start + CHUNK]


def ours(module: object) -> Callable[[pd.DataFrame, Path], None]:
    def run(frame: pd.DataFrame, path: Path) -> None:
        with module.Writer(path, COLUMNS) as writer:  # type: ignore[attr-defined]
            for chunk in chunks(frame):
                writer.write(chunk)
    return run


def xlsxwriter_constant_memory(frame: pd.DataFrame, path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet()
    write = sheet.write_string
    for column, name in enumerate(COLUMNS):
        write(0, column, name)
    row = 1
    for chunk in chunks(frame):
        for values in chunk.itertuples(index=False, name=None):
            for column, value in enumerate(values):
                if value:
                    write(row, column, value)
            row += 1
    book.close()


def openpyxl_write_only(frame: pd.DataFrame, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet()

    def text(value: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # else "=1+1" becomes a formula
        return cell

    sheet.append([text(c) for c in COLUMNS])
    for chunk in chunks(frame):
        for values in chunk.itertuples(index=False, name=None):
            sheet.append([text(v) if v else None for v in values])
    book.save(path)


def lxml_xmlfile_ods(frame: pd.DataFrame, path: Path) -> None:
    from lxml import etree

    office, table, text = (f"urn:oasis:names:tc:opendocument:xmlns:{n}:1.0" for n in ("office", "table", "text"))
    nsmap = {"office": office, "table": table, "text": text}
    cell_tag, row_tag, p_tag = f"{{{table}}}table-cell", f"{{{table}}}table-row", f"{{{text}}}p"
    string_type = {f"{{{office}}}value-type": "string"}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ods.MIMETYPE, compress_type=zipfile.ZIP_STORED)
        with archive.open("content.xml", "w") as stream, etree.xmlfile(stream, encoding="utf-8") as xf:
            with xf.element(f"{{{office}}}document-content", nsmap=nsmap), xf.element(f"{{{office}}}body"), \
                    xf.element(f"{{{office}}}spreadsheet"), xf.element(f"{{{table}}}table"):
                rows = [COLUMNS] + [list(v) for v in frame.itertuples(index=False, name=None)]
                for values in rows:
                    with xf.element(row_tag):
                        for value in values:
                            cell = etree.Element(cell_tag, string_type if value else {})
                            if value:
                                etree.SubElement(cell, p_tag).text = value
                            xf.write(cell)


def odfpy(frame: pd.DataFrame, path: Path) -> None:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    sheet = Table(name="Sheet1")
    for values in [COLUMNS] + [list(v) for v in frame.itertuples(index=False, name=None)]:
        row = TableRow()
        for value in values:
            cell = TableCell(valuetype="string") if value else TableCell()
            if value:
                cell.addElement(P(text=value))
            row.addElement(cell)
        sheet.addElement(row)
    document.spreadsheet.addElement(sheet)
    document.save(str(path))


CANDIDATES: dict[str, tuple[str, Callable[[pd.DataFrame, Path], None], int]] = {
    # name: (extension, function, scale: run on rows // scale and multiply the time)
    "xlsx: alphaimport streamed XML": ("xlsx", ours(xlsx), 1),
    "xlsx: xlsxwriter constant_memory": ("xlsx", xlsxwriter_constant_memory, 1),
    "xlsx: openpyxl write-only": ("xlsx", openpyxl_write_only, 1),
    "ods: alphaimport streamed XML": ("ods", ours(ods), 1),
    "ods: lxml etree.xmlfile": ("ods", lxml_xmlfile_ods, 1),
    "ods: odfpy (1/10 of the rows, scaled)": ("ods", odfpy, 10),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--only", nargs="*", default=None, help="candidate names containing these words")
    args = parser.parse_args(argv)
    frame = records(args.rows)
    print(f"{args.rows:,} records x {len(COLUMNS)} text columns (Python {sys.version.split()[0]})")
    with tempfile.TemporaryDirectory() as folder:
        for name, (extension, run, scale) in CANDIDATES.items():
            if args.only and not any(word in name for word in args.only):
                continue
            part = frame.iloc[: len(frame) // scale]
            path = Path(folder) / f"out.{extension}"
            started = time.perf_counter()
            run(part, path)
            seconds = (time.perf_counter() - started) * scale
            size = path.stat().st_size * scale / 1e6
            print(f"{name:40} {seconds:7.2f} s {args.rows / seconds:10,.0f} rows/s {size:8.1f} MB")
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
