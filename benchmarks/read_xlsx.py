"""Time reading a 100,000-row x 26-column XLSX into a text frame: calamine (our reader) vs openpyxl.

    python benchmarks/read_xlsx.py [--rows 100000]

The workbook is built once into benchmarks/data/ (gitignored) with xlsxwriter, as an ERP would write
it (shared strings, numbers, dates), and then read by:
  * alphaimport.formats.xlsx.read (python-calamine, plus the zip and cell-range checks);
  * the zip and cell-range checks alone (their share of the above);
  * openpyxl read-only, values through the same cell_text rule, into the same frame shape.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd

from alphaimport.formats import ReadOptions, xlsx
from alphaimport.formats.cells import cell_text
from alphaimport.formats.spreadsheet import check_zip

DATA = Path(__file__).resolve().parent / "data"
COLUMNS = 26


def build(rows: int) -> Path:
    path = DATA / f"read_{rows}x{COLUMNS}.xlsx"
    if path.exists():
        return path
    import xlsxwriter

    DATA.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2027)
    names = ["Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer"]
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Debiteuren")
    date = book.add_format({"num_format": "dd-mm-yyyy"})
    sheet.write_row(0, 0, [f"Kolom {i + 1}" for i in range(COLUMNS)])
    for row in range(1, rows + 1):
        sheet.write_string(row, 0, f"{rng.randint(0, 99999):05d}")
        sheet.write_string(row, 1, rng.choice(names))
        sheet.write_string(row, 2, f"06{rng.randint(10000000, 99999999)}")
        sheet.write_number(row, 3, rng.randint(100, 999999) / 100)
        sheet.write_datetime(row, 4, dt.datetime(2027, 1, 1) + dt.timedelta(days=rng.randint(0, 700)), date)
        sheet.write_number(row, 5, rng.randint(1, 10))
        for column in range(6, COLUMNS):
            sheet.write_string(row, column, f"{rng.choice(names)} {column} {rng.randint(0, 999)}")
    book.close()
    return path


def read_openpyxl(path: Path) -> pd.DataFrame:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [cell_text(v) for v in next(rows)]
    values, numbers = [], []
    for number, row in enumerate(rows, start=2):
        texts = [cell_text(v) for v in row]
        if any(texts):
            values.append(texts)
            numbers.append(number)
    book.close()
    frame = pd.DataFrame(values, index=pd.Index(numbers, name="row"), dtype=object)
    frame.columns = header
    return frame


def checks_only(path: Path) -> None:
    with path.open("rb") as handle:
        archive = check_zip(handle, path.name)
        xlsx.sheet_extent(archive, "xl/worksheets/sheet1.xml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    path = build(args.rows)
    with zipfile.ZipFile(path) as archive:
        xml = archive.getinfo("xl/worksheets/sheet1.xml")
    print(f"{path.name}: {path.stat().st_size / 1e6:.1f} MB, sheet XML {xml.file_size / 1e6:.0f} MB")
    frames = {}
    for name, run in (("calamine (alphaimport xlsx.read)", lambda: xlsx.read(path, ReadOptions())),
                      ("  of which zip + cell-range checks", lambda: checks_only(path)),
                      ("openpyxl read-only", lambda: read_openpyxl(path))):
        started = time.perf_counter()
        frames[name] = run()
        seconds = time.perf_counter() - started
        print(f"{name:36} {seconds:7.2f} s {args.rows / seconds:10,.0f} rows/s")
    ours, theirs = frames["calamine (alphaimport xlsx.read)"], frames["openpyxl read-only"]
    print("same frame from both readers:", ours.equals(theirs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
