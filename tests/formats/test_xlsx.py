"""alphaimport.formats.xlsx: reading real workbooks as text, refusing bad ones, writing text-only sheets."""
from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alphaimport.errors import ReadError, UnsafeInput, WriteError
from alphaimport.formats import ReadOptions, for_path, xlsx
from alphaimport.formats.spreadsheet import MAX_CELLS, describe, size_text

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NONE = ReadOptions()

HEADER = ["Vervaldatum", "Aangemaakt", "Aantal", "Bedrag", "Som", "Klantnummer", "Telefoon", "Akkoord",
          "Tijd", "Duur", "Groot", "Opmerking", "2027"]
RECORDS = {
    2: ["2027-12-31", "2027-12-31T13:45:10", "1234", "1234.5", "0.3", "00123", "0612345678", "1",
        "13:45:00", "36:00:00", "1234567890123460000", "=1+1 stays text", ""],
    4: ["2026-02-28", "", "-7", "1234.5", "0.1", "A-17", "31612345678", "0", "", "", "",
        "  twee  spaties \u00e9\u00e8 \U0001F600", ""],
    5: ["ragged"] + [""] * 12,
}


def frame_of(header: list[str], records: dict[int, list[str]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(records.values()), index=pd.Index(list(records), dtype="int64", name="row"),
                         columns=range(len(header)), dtype=object)
    frame.columns = pd.Index(header, dtype=object)
    return frame


def read(name: str, **options: str) -> pd.DataFrame:
    return xlsx.read(FIXTURES / name, ReadOptions(**options))


# -- reading -------------------------------------------------------------------------------------------

def test_every_cell_reads_as_the_text_a_user_sees() -> None:
    pd.testing.assert_frame_equal(read("xlsx_dates_numbers_text.xlsx"), frame_of(HEADER, RECORDS))


def test_every_value_is_a_str_and_empty_is_the_empty_string() -> None:
    frame = read("xlsx_dates_numbers_text.xlsx")
    assert all(type(v) is str for v in frame.to_numpy().ravel())
    assert not frame.isna().to_numpy().any()


def test_the_1904_date_system_gives_the_same_dates() -> None:
    expected = frame_of(["Datum", "Tijdstip", "Serieel"], {2: ["2027-12-31", "2027-01-02T08:30:00", "2029-01-01"]})
    pd.testing.assert_frame_equal(read("xlsx_date1904.xlsx"), expected)


def test_row_numbers_are_the_sheet_rows_even_when_the_table_starts_lower() -> None:
    expected = frame_of(["Naam", "Plaats"], {4: ["Jansen", "Utrecht"], 7: ["de Vries", ""]})
    pd.testing.assert_frame_equal(read("xlsx_offset_table.xlsx"), expected)


@pytest.mark.parametrize("sheet, value", [
    (None, "eerste"),
    ("Debiteuren", "tweede"),
    ("debiteuren ", "tweede"),  # one sheet matches case- and space-insensitively
])
def test_the_first_or_the_named_sheet(sheet: str | None, value: str) -> None:
    frame = read("xlsx_two_sheets.xlsx", **({"sheet": sheet} if sheet else {}))
    assert frame["Naam"].tolist() == [value]


def test_an_unknown_sheet_lists_the_sheets() -> None:
    with pytest.raises(ReadError) as caught:
        read("xlsx_two_sheets.xlsx", sheet="Blad1")
    assert str(caught.value) == "xlsx_two_sheets.xlsx: no sheet named 'Blad1'; the sheets are 'Overzicht', 'Debiteuren'"


def test_the_default_sheet_is_the_first_visible_one() -> None:
    assert read("xlsx_hidden_first_sheet.xlsx")["Naam"].tolist() == ["zichtbaar"]
    assert read("xlsx_hidden_first_sheet.xlsx", sheet="Codes").empty


def test_a_header_only_sheet_has_zero_records() -> None:
    frame = read("xlsx_header_only.xlsx")
    assert list(frame.columns) == ["PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1"]
    assert len(frame) == 0 and frame.index.name == "row"


def test_macros_are_data_only_and_formulas_give_their_cached_values() -> None:
    with zipfile.ZipFile(FIXTURES / "xlsm_with_macro.xlsm") as archive:
        assert "xl/vbaProject.bin" in archive.namelist()
    assert read("xlsm_with_macro.xlsm").to_dict("index") == {2: {"Naam": "Jansen", "Bedrag": "12,50"}}
    # an external link is never followed: the value cached in the file is what is read
    assert read("xlsx_formulas_external_link.xlsx").to_dict("index") == {
        2: {"Som": "2", "Extern": "cached value", "Tekst": "00123"}}


def test_xlsm_is_an_extension_of_this_reader() -> None:
    assert for_path("x.xlsm") is xlsx and for_path("X.XLSX") is xlsx


@pytest.mark.parametrize("fixture, error, message", [
    ("xlsx_empty.xlsx", ReadError, "xlsx_empty.xlsx: the file is empty (0 bytes)"),
    ("xlsx_truncated.xlsx", ReadError, "xlsx_truncated.xlsx: truncated or damaged: not a complete zip archive"),
    ("xlsx_encrypted.xlsx", ReadError, "xlsx_encrypted.xlsx: the workbook is password-protected (encrypted); "
                                       "save it without a password and try again"),
    ("xlsx_random_bytes.xlsx", ReadError, "xlsx_random_bytes.xlsx: not a spreadsheet: the content is "
                                          "unrecognised binary data"),
    ("xlsx_csv_renamed.xlsx", ReadError, "xlsx_csv_renamed.xlsx: not a spreadsheet: the content is text that "
                                         "looks like CSV (';'-separated); rename it to .csv"),
    ("xlsx_zip_without_workbook.xlsx", ReadError, "xlsx_zip_without_workbook.xlsx: a zip archive without a "
                                                  "workbook (no xl/workbook.xml or content.xml)"),
    ("xlsx_empty_sheet.xlsx", ReadError, "xlsx_empty_sheet.xlsx: sheet 'Leeg' is empty (no header row)"),
    ("xlsx_zip_bomb.xlsx", UnsafeInput, "xlsx_zip_bomb.xlsx: declared uncompressed size 5.0 GB exceeds the "
                                        "2 GiB limit (zip bomb?)"),
    ("xlsx_zip_bomb_ratio.xlsx", UnsafeInput, "xlsx_zip_bomb_ratio.xlsx: part xl/media/zeros.bin expands "
                                              "1,029 times (64 MiB), over the 100:1 limit (zip bomb?)"),
    ("xlsx_cell_range_bomb.xlsx", UnsafeInput, "xlsx_cell_range_bomb.xlsx: sheet 'Sheet1' spans 17,179,869,184 "
                                               "cells, over the 50,000,000 limit (a cell far outside the data?)"),
])
def test_bad_files_get_one_line_errors_naming_the_file(fixture: str, error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        read(fixture)
    assert type(caught.value) is error and str(caught.value) == message


def test_the_zip_bomb_fixtures_are_tiny_on_disk() -> None:
    for name in ("xlsx_zip_bomb.xlsx", "xlsx_zip_bomb_ratio.xlsx", "xlsx_cell_range_bomb.xlsx"):
        assert (FIXTURES / name).stat().st_size < 100_000


def test_a_part_larger_than_it_declares_is_refused(tmp_path: Path) -> None:
    """The zip's directory says 50 bytes; inflating gives more: reading stops there, and says why."""
    data = bytearray((FIXTURES / "xlsx_two_sheets.xlsx").read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    struct.pack_into("<I", data, info.header_offset + 22, 50)
    directory = data.find(b"PK\x01\x02" + bytes(data[info.header_offset + 4: info.header_offset + 6]))
    while bytes(data[directory + 46: directory + 46 + len(info.filename)]) != info.filename.encode():
        directory = data.find(b"PK\x01\x02", directory + 4)
    struct.pack_into("<I", data, directory + 24, 50)
    (tmp_path / "lying.xlsx").write_bytes(bytes(data))
    with pytest.raises(ReadError) as caught:
        xlsx.read(tmp_path / "lying.xlsx", NONE)
    assert str(caught.value) == ("lying.xlsx: damaged or tampered: part xl/worksheets/sheet1.xml does not match "
                                 "its declared size and checksum (Bad CRC-32 for file 'xl/worksheets/sheet1.xml')")


@pytest.mark.parametrize("sample, looks_like", [
    (b"%PDF-1.7", "a PDF document"),
    (b"<html><table>", "an HTML page (some systems export HTML tables named .xls); export CSV or XLSX instead"),
    (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">',
     "an Excel 2003 XML spreadsheet; open it in Excel and save it as .xlsx"),
    (b"naam\tplaats\nJansen\tUtrecht\n", "text that looks like CSV (tab-separated); rename it to .csv"),
    (b"just words\n", "plain text"),
])
def test_describe_says_what_a_non_spreadsheet_looks_like(sample: bytes, looks_like: str) -> None:
    assert describe(sample) == looks_like


@pytest.mark.parametrize("size, text", [(2 << 30, "2 GiB"), (5_000_000_000, "5.0 GB"), (10 << 20, "10 MiB")])
def test_size_text(size: int, text: str) -> None:
    assert size_text(size) == text


def test_a_file_object_reads_like_a_path() -> None:
    data = (FIXTURES / "xlsx_dates_numbers_text.xlsx").read_bytes()
    pd.testing.assert_frame_equal(xlsx.read(io.BytesIO(data), NONE), read("xlsx_dates_numbers_text.xlsx"))


@pytest.mark.parametrize("rows", [1, 2, 100])
def test_chunks_concatenate_to_the_whole_frame(rows: int) -> None:
    chunks = list(xlsx.read_chunks(FIXTURES / "xlsx_dates_numbers_text.xlsx", NONE, rows))
    assert all(len(c) <= rows for c in chunks) and len(chunks) == -(-3 // rows)
    pd.testing.assert_frame_equal(pd.concat(chunks), read("xlsx_dates_numbers_text.xlsx"))


def test_chunks_of_a_header_only_sheet_are_one_empty_frame() -> None:
    chunks = list(xlsx.read_chunks(FIXTURES / "xlsx_header_only.xlsx", NONE, 10))
    assert len(chunks) == 1 and chunks[0].empty and len(chunks[0].columns) == 2


# -- the rectangle a sheet spans -------------------------------------------------------------------------

def _sheet(rows_xml: str) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("s.xml", f'<worksheet xmlns="m"><sheetData>{rows_xml}</sheetData></worksheet>')
    return zipfile.ZipFile(buffer)


@pytest.mark.parametrize("rows_xml", [
    '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1"><v>1</v></c></row>',
    '<row r="999999"><c r="AX999999"><v>1</v></c></row>',
    "",
])
def test_an_ordinary_sheet_passes_on_one_fast_scan(rows_xml: str) -> None:
    assert xlsx.sheet_extent(_sheet(rows_xml), "s.xml") == (999_999, 50)


@pytest.mark.parametrize("rows_xml, rows, columns", [
    ('<row r="1"><c r="A1"/></row><row r="99999"><c r="AZ99999"><v>1</v></c></row>', 99_999, 52),
    ('<row r="1"><c r="XFD1048576"><v>1</v></c></row>', 1_048_576, 16_384),
    ('<row r="1"><c r="A1"/><c r="BA1"/></row><row r="1048576"><c r="A1048576"/></row>', 1_048_576, 53),
    ('<row r="1"><c r="a1"/><c r="xfd1"/></row>', 1, 16_384),  # a bound of 999 rows is enough here
    # cells without a reference, with r not first, or with a namespace prefix: followed one by one
    ('<row r="3"><c><v>1</v></c><c><v>2</v></c></row><row><c/></row>', 4, 2),
    ('<row r="2"><c s="1" r="D2"><v>1</v></c></row>', 2, 4),
    ('<x:row r="7"><x:c r="B7"><x:v>1</x:v></x:c></x:row>', 7, 2),
    ('<row r="2000000"><c t="s"><v>1</v></c></row>', 2_000_000, 1),
])
def test_an_unusual_sheet_is_measured_exactly_where_it_matters(rows_xml: str, rows: int, columns: int) -> None:
    found_rows, found_columns = xlsx.sheet_extent(_sheet(rows_xml), "s.xml")
    assert found_columns == columns
    assert found_rows == rows or (found_rows >= rows and found_rows * columns <= MAX_CELLS)


def test_sheet_extent_is_exact_at_the_limit() -> None:
    rows, columns = xlsx.sheet_extent(_sheet('<row r="1048576"><c r="AY1048576"/></row>'), "s.xml")
    assert (rows, columns) == (1048576, 51) and rows * columns > MAX_CELLS


# -- writing -----------------------------------------------------------------------------------------------

COLUMNS = ["IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1"]
TRICKY = ["=1+1", "00123", "1234", "0612345678", "=cmd|' /C calc'!A0", "+31 6 1234", "-5", "@SUM(A1)",
          'say "hi"; ok', "a\nb", "a\r\nb", " lead", "trail ", "\ttab", "é ü ß", "\U0001F600", "x" * 255,
          "_x0041_", "TRUE", "2027-12-31", "1e5", "<b>&amp;</b>"]


def write(path: Path, records: list[list[str]], columns: list[str] = COLUMNS) -> Path:
    frame = pd.DataFrame(records, columns=columns, dtype=object,
                         index=pd.Index(range(10, 10 + len(records)), name="row"))
    with xlsx.Writer(path, columns) as writer:
        writer.write(frame)
    return path


def test_the_written_sheet_reads_back_identically(tmp_path: Path) -> None:
    records = [TRICKY[i:i + 3] for i in range(0, len(TRICKY) - 2)]
    back = xlsx.read(write(tmp_path / "out.xlsx", records), NONE)
    pd.testing.assert_frame_equal(back, frame_of(COLUMNS, dict(zip(range(2, 2 + len(records)), records))))


def test_openpyxl_sees_only_text_cells_with_the_right_values(tmp_path: Path) -> None:
    records = [[v, "", v] for v in TRICKY if "_x" not in v]  # openpyxl leaves Excel's _xHHHH_ escape as is
    book = openpyxl.load_workbook(write(tmp_path / "out.xlsx", records))
    rows = list(book.active.iter_rows())
    assert [c.value for c in rows[0]] == COLUMNS
    for row, expected in zip(rows[1:], records):
        filled = [c for c in row if c.value is not None]
        assert all(c.data_type == "s" and isinstance(c.value, str) for c in filled)
        assert [c.value if c.value is not None else "" for c in row] == expected
    assert len(book.sheetnames) == 1


def test_every_cell_is_an_inline_string_never_a_formula_or_number(tmp_path: Path) -> None:
    with zipfile.ZipFile(write(tmp_path / "out.xlsx", [["=1+1", "1234", "00123"]])) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count('t="inlineStr"') == 6 and "<f>" not in sheet and "<v>" not in sheet
    assert '<c r="A2" t="inlineStr"><is><t>=1+1</t></is></c>' in sheet


@pytest.mark.parametrize("value, code", [("a\x00b", "0000"), ("bell\x07", "0007"), ("\ufffe", "FFFE"),
                                         ("x\ud800", "D800")])
def test_characters_xml_forbids_are_refused_naming_row_and_column(tmp_path: Path, value: str, code: str) -> None:
    with pytest.raises(WriteError) as caught:
        write(tmp_path / "out.xlsx", [["1", "ok", "ok"], ["2", value, "ok"]])
    assert str(caught.value) == (f"out.xlsx: sheet row 3 (source row 11), column PERSON_FAMILYNAME: character "
                                 f"U+{code} cannot be stored in XLSX (XML 1.0 forbids it)")


def test_writer_edges(tmp_path: Path) -> None:
    writer = xlsx.Writer(tmp_path / "out.xlsx", COLUMNS)
    writer.write(pd.DataFrame({"IDENTIFICATION_IDENTIFIER": [None], "PERSON_FAMILYNAME": [float("nan")],
                               "CONTACT_PHONENUMBER_1": ["x"], "EXTRA": ["ignored"]}))
    with pytest.raises(ValueError, match="lacks the columns"):
        writer.write(pd.DataFrame({"IDENTIFICATION_IDENTIFIER": ["1"]}))
    writer.close()
    writer.close()  # harmless
    assert xlsx.read(tmp_path / "out.xlsx", NONE).to_dict("index") == {
        2: {"IDENTIFICATION_IDENTIFIER": "", "PERSON_FAMILYNAME": "", "CONTACT_PHONENUMBER_1": "x"}}


def test_a_header_only_delivery(tmp_path: Path) -> None:
    frame = xlsx.read(write(tmp_path / "out.xlsx", []), NONE)
    assert list(frame.columns) == COLUMNS and frame.empty


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff",
                                  codec="utf-8").filter(lambda c: c >= " " or c in "\t\n\r"), max_size=40)
_VALUES = st.one_of(_XML_TEXT, st.sampled_from(TRICKY + ["", " ", "  "]))
_RECORDS = st.lists(st.lists(_VALUES, min_size=3, max_size=3).filter(any), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=_RECORDS)
def test_round_trip_of_any_xml_text(tmp_path: Path, records: list[list[str]]) -> None:
    back = xlsx.read(write(tmp_path / "rt.xlsx", records), NONE)
    assert back.to_numpy().tolist() == records
    assert back.index.tolist() == list(range(2, 2 + len(records)))


def test_memory_does_not_grow_with_the_records(tmp_path: Path) -> None:
    import tracemalloc

    def peak(chunks: int) -> int:
        tracemalloc.start()
        with xlsx.Writer(tmp_path / f"m{chunks}.xlsx", COLUMNS) as writer:
            for _ in range(chunks):
                writer.write(pd.DataFrame([["0612345678", "Jansen van der Berg", "=1+1"]] * 5_000, columns=COLUMNS))
        peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak_bytes

    small, large = peak(2), peak(12)
    assert large < small * 1.5, (small, large)
