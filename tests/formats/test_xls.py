"""alphaimport.formats.xls: Excel 97-2003 files read as text; never written."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from alphaimport.errors import ReadError, UnsupportedFormat
from alphaimport.formats import ReadOptions, for_path, writer, xls, xlsx

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NONE = ReadOptions()
HEADER = ["Vervaldatum", "Aangemaakt", "Aantal", "Bedrag", "Klantnummer", "Akkoord", "2027"]


def expected() -> pd.DataFrame:
    records = {2: ["2027-12-31", "2027-12-31T13:45:10", "1234", "1234.5", "00123", "1", ""],
               4: ["ragged", "", "", "", "", "", ""]}  # D4 is =1/0: an error cell reads as ""
    frame = pd.DataFrame(list(records.values()), index=pd.Index(list(records), dtype="int64", name="row"),
                         columns=range(len(HEADER)), dtype=object)
    frame.columns = pd.Index(HEADER, dtype=object)
    return frame


@pytest.mark.parametrize("fixture", ["xls_basic.xls", "xls_date1904.xls"])
def test_every_cell_reads_as_the_text_a_user_sees_in_either_date_system(fixture: str) -> None:
    pd.testing.assert_frame_equal(xls.read(FIXTURES / fixture, NONE), expected())


def test_a_file_libreoffice_saved_reads_like_the_xlsx_it_came_from() -> None:
    original = xlsx.read(FIXTURES / "xlsx_dates_numbers_text.xlsx", NONE)
    pd.testing.assert_frame_equal(xls.read(FIXTURES / "xls_from_libreoffice.xls", NONE), original)


@pytest.mark.parametrize("fixture, frame_of", [
    ("xlsx_two_sheets.xlsx", "an XLSX named .xls is read as what it is"),
    ("ods_basic.ods", "and so is an ODS"),
])
def test_content_decides_not_the_name(fixture: str, frame_of: str) -> None:
    assert not xls.read(FIXTURES / fixture, NONE).empty, frame_of


def test_sheet_by_name_and_chunks() -> None:
    with pytest.raises(ReadError, match=r"^xls_basic\.xls: no sheet named 'Blad2'; the sheets are 'Debiteuren'$"):
        xls.read(FIXTURES / "xls_basic.xls", ReadOptions(sheet="Blad2"))
    chunks = list(xls.read_chunks(FIXTURES / "xls_basic.xls", NONE, 1))
    pd.testing.assert_frame_equal(pd.concat(chunks), expected())


@pytest.mark.parametrize("fixture, message", [
    ("xls_html_renamed.xls", "xls_html_renamed.xls: not a spreadsheet: the content is an HTML page (some systems "
                             "export HTML tables named .xls); export CSV or XLSX instead"),
    ("xlsx_encrypted.xlsx", "xlsx_encrypted.xlsx: the workbook is password-protected (encrypted); "
                            "save it without a password and try again"),
    ("xlsx_random_bytes.xlsx", "xlsx_random_bytes.xlsx: not a spreadsheet: the content is unrecognised binary data"),
])
def test_bad_files_get_one_line_errors(fixture: str, message: str) -> None:
    with pytest.raises(ReadError) as caught:
        xls.read(FIXTURES / fixture, NONE)
    assert str(caught.value) == message


def test_xls_is_read_never_written() -> None:
    assert for_path("OUD.XLS") is xls
    assert not hasattr(xls, "Writer")
    with pytest.raises(UnsupportedFormat):
        writer("xls")
