"""The read stage (alphaimport/read.py): every format to one canonical frame, sniffing, DataFrame input."""
from __future__ import annotations

import copy
import datetime as dt
import importlib.util
import io
import shutil
import uuid
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import numpy as np
import openpyxl
import pandas as pd
import pytest

from alphaimport.errors import MappingError, ReadError, UnsupportedFormat
from alphaimport.mapping import Mapping
from alphaimport.read import Loaded, choose_format, iter_load, load, read, sniff

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"fixture_{name}", FIXTURES / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MESSY = _script("make_messy20")
ERP = _script("make_erp_fixtures")
LINES = list(range(2, 22))  # CSV lines and sheet rows: the header is line/row 1
POSITIONS = list(range(1, 21))  # XML and JSON: the record's position


def _expected() -> pd.DataFrame:
    return pd.DataFrame(MESSY.EXPECTED, columns=list(MESSY.COLUMNS), dtype="str")


# -- the same 20 records in every format ---------------------------------------------------------------

@pytest.mark.parametrize(("fixture", "rows"), [
    ("messy20_cp1252_comma_lowercase.csv", LINES),
    ("messy20_utf8_bom_semicolon.csv", LINES),
    ("messy20.xlsx", LINES),
    ("messy20.ods", LINES),
    ("messy20.xml", POSITIONS),
    ("messy20.json", POSITIONS),
])
def test_every_format_reads_into_the_identical_canonical_frame(fixture: str, rows: list[int]) -> None:
    frame = read(FIXTURES / fixture)
    assert frame.attrs["issues"] == []
    assert frame.index.name == "row" and frame.index.tolist() == rows
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), _expected())


@pytest.mark.parametrize("fixture", ["messy20_cp1252_comma_lowercase.csv", "messy20_utf8_bom_semicolon.csv",
                                     "messy20.xlsx", "messy20.ods", "messy20.xml", "messy20.json"])
def test_identifiers_and_phone_numbers_survive_as_text(fixture: str) -> None:
    frame = read(FIXTURES / fixture).reset_index(drop=True)
    assert frame["IDENTIFICATION_IDENTIFIER"].tolist()[:1] + frame["IDENTIFICATION_IDENTIFIER"].tolist()[5:7] == [
        "00123", "0000001", "123456789012345678"]
    assert frame.loc[0, "CONTACT_PHONENUMBER_1"] == "0612345678"
    assert frame.loc[1, "INVOICE_DESCRIPTION"] == 'Huur; "januari" 2028'
    assert frame.loc[0, "PERSON_GIVENNAME"] == "Émile" and frame.loc[1, "PERSON_FAMILYNAME"] == "Müller"


def test_the_text_fixtures_are_what_the_generator_writes(tmp_path: Path) -> None:
    MESSY.write_all(tmp_path)
    for name in ("messy20_cp1252_comma_lowercase.csv", "messy20_utf8_bom_semicolon.csv", "messy20.xml",
                 "messy20.json"):
        assert (tmp_path / name).read_bytes() == (FIXTURES / name).read_bytes(), f"regenerate {name}"
    ERP.write_all(tmp_path)
    assert (tmp_path / "erp_debiteuren.csv").read_bytes() == (FIXTURES / "erp_debiteuren.csv").read_bytes()


# -- a DataFrame source (ETL) ----------------------------------------------------------------------------

def _typed_frame() -> pd.DataFrame:
    """The 20 records as an ETL job holds them: numbers as numbers, dates as Timestamps, lower-case names."""
    columns = {c.lower(): [MESSY._typed(r[c]) for r in MESSY.RECORDS] for c in MESSY.COLUMNS}
    columns["person_birthday"] = [pd.Timestamp(v) if isinstance(v, dt.date) else v
                                  for v in columns["person_birthday"]]
    return pd.DataFrame(columns, index=pd.Index(range(100, 120), name="id"))


def test_a_dataframe_is_copied_never_changed_and_gives_the_same_frame() -> None:
    source = _typed_frame()
    before = copy.deepcopy(source)
    frame = read(source)
    pd.testing.assert_frame_equal(source, before)
    assert frame.index.name == "row" and frame.index.tolist() == POSITIONS
    pd.testing.assert_frame_equal(frame.reset_index(drop=True), _expected())


def test_dataframe_cells_become_text_by_the_cell_rule() -> None:
    source = pd.DataFrame({"reference": [123, 7], "invoiceAmount": [12.5, None], "personBirthDay":
                           [pd.Timestamp("2027-01-02"), pd.NaT], "services_enrichment": [True, False]})
    frame = read(source)
    assert frame.to_dict("list") == {"IDENTIFICATION_IDENTIFIER": ["123", "7"], "PERSON_BIRTHDAY": ["2027-01-02", ""],
                                     "INVOICE_AMOUNT": ["12.5", ""], "SERVICES_ENRICHMENT": ["1", "0"]}


def _etl_frame(**columns: list[object]) -> pd.DataFrame:
    base = {"IDENTIFICATION_IDENTIFIER": ["001", "002"], "CONTACT_PHONENUMBER_1": ["0612345678"] * 2,
            "CONTROL_FLOWID": ["1001"] * 2}
    return pd.DataFrame({**base, **columns}, index=pd.Index([100, 101], name="id"))


@pytest.mark.parametrize(("columns", "message"), [
    ({"PERSON_FAMILYNAME": [b"M\xc3\xbcller", b"Jansen"]},  # bytes from a database driver
     "DataFrame column 'PERSON_FAMILYNAME' row 1: a cell holds bytes, not text; decode it first"),
    ({"PERSON_FAMILYNAME": ["Jansen", bytearray(b"Jansen")]},
     "DataFrame column 'PERSON_FAMILYNAME' row 2: a cell holds a bytearray, not text; decode it first"),
    ({"INVOICE_DESCRIPTION": ["Huur", ["Huur", "december"]]},
     "DataFrame column 'INVOICE_DESCRIPTION' row 2: a cell holds a list, not a single value"),
    ({"INVOICE_DESCRIPTION": [{"x": 1}, "Huur"]},
     "DataFrame column 'INVOICE_DESCRIPTION' row 1: a cell holds a dict, not a single value"),
    ({"toPhoneNumbers": [("0612345678",), None]},  # an API list name: a DataFrame cell is still one value
     "DataFrame column 'toPhoneNumbers' row 1: a cell holds a tuple, not a single value"),
    ({"PERSON_FAMILYNAME": ["Jansen", object()]},
     "DataFrame column 'PERSON_FAMILYNAME' row 2: a cell holds an object, which has no obvious text; "
     "convert it to str first"),
], ids=["bytes", "bytearray", "list", "dict", "tuple", "object"])
def test_a_dataframe_cell_without_one_obvious_text_stops_the_read(columns: dict[str, list[object]],
                                                                  message: str) -> None:
    """As JSON refuses a list for a single value: bytes are not decoded by guess, a list is not joined, and
    Python's notation ("b'M\\xc3\\xbcller'", "['Huur', 'december']") is never delivered. The row is the
    1-based position, whatever the index."""
    source = _etl_frame(**columns)
    before = copy.deepcopy(source)
    for reading in (read, load, lambda s: iter_load(s, chunk_rows=1)):
        with pytest.raises(ReadError) as caught:
            reading(source)
        assert str(caught.value) == message
    pd.testing.assert_frame_equal(source, before)


def test_a_dataframe_of_every_type_with_one_text_still_reads() -> None:
    source = _etl_frame(INVOICE_AMOUNT=[Decimal("12.50"), 7], INVOICE_DUEDATE=[dt.date(2027, 12, 31), pd.NaT],
                        PERSON_FAMILYNAME=pd.array(["Öz", pd.NA], dtype="string"),
                        INVOICE_DESCRIPTION=[np.str_("Huur"), np.nan],
                        SERVICES_ENRICHMENT=[True, None],
                        INVOICE_REFERENCE=[uuid.UUID(int=1), np.datetime64("2027-01-02")])
    assert read(source).to_dict("list") == {
        "IDENTIFICATION_IDENTIFIER": ["001", "002"], "PERSON_FAMILYNAME": ["Öz", ""],
        "CONTACT_PHONENUMBER_1": ["0612345678", "0612345678"], "INVOICE_DUEDATE": ["2027-12-31", ""],
        "INVOICE_AMOUNT": ["12.50", "7"], "INVOICE_DESCRIPTION": ["Huur", ""],
        "INVOICE_REFERENCE": ["00000000-0000-0000-0000-000000000001", "2027-01-02"],
        "SERVICES_ENRICHMENT": ["1", ""], "CONTROL_FLOWID": ["1001", "1001"]}


def test_a_dataframe_header_that_is_not_text_is_a_name_an_unknown_one_reported() -> None:
    frame = read(pd.DataFrame({("a", "b"): ["x"], b"reference": ["1"], "reference": ["2"]}))
    assert list(frame.columns) == ["IDENTIFICATION_IDENTIFIER"]
    assert [i.field for i in frame.attrs["issues"]] == ["('a', 'b')", "b'reference'"]


LONG = [1234567890123456.0, 9007199254740991.0, -12345678901234567.0, 1e20, 0.1 + 0.2, 1234.4999999999998]


def test_a_whole_float_in_a_dataframe_keeps_every_digit() -> None:
    """An integer column with one NaN is float64 in pandas: its whole numbers are read as the ints they were."""
    source = pd.DataFrame({"reference": [*LONG, None]})
    assert source["reference"].dtype == "float64"
    expected = ["1234567890123456", "9007199254740991", "-12345678901234568", "100000000000000000000", "0.3",
                "1234.5", ""]  # whole: every digit (-12345678901234567.0 is ...68 in float64); else 15 digits
    frame = read(source)
    assert frame["IDENTIFICATION_IDENTIFIER"].tolist() == expected and frame.attrs["issues"] == []
    assert load(source).frame["IDENTIFICATION_IDENTIFIER"].tolist() == expected
    chunks = list(iter_load(source, chunk_rows=3).chunks)
    assert pd.concat(chunks)["IDENTIFICATION_IDENTIFIER"].tolist() == expected
    ints_with_a_gap = pd.DataFrame({"reference": [1234567890123456, 9007199254740991, None]})
    assert read(ints_with_a_gap)["IDENTIFICATION_IDENTIFIER"].tolist() == [*expected[:2], ""]


def test_a_whole_float_as_a_dataframe_header_keeps_every_digit() -> None:
    frame = read(pd.DataFrame({9007199254740991.0: ["x"], "reference": ["1"]}))
    assert [i.field for i in frame.attrs["issues"]] == ["9007199254740991"]


def test_the_same_floats_in_a_spreadsheet_show_15_significant_digits_as_excel_does(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.append(["reference"])
    for value in LONG:
        book.active.append([value])
    book.save(tmp_path / "long.xlsx")
    assert read(tmp_path / "long.xlsx")["IDENTIFICATION_IDENTIFIER"].tolist() == [
        "1234567890123460", "9007199254740990", "-12345678901234600", "100000000000000000000", "0.3", "1234.5"]


# -- the Dutch ERP export and its mapping ----------------------------------------------------------------

ERP_COLUMNS = [
    "IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "PERSON_GIVENNAME", "PERSON_GENDER", "PERSON_BIRTHDAY",
    "ADDRESS_STREET", "ADDRESS_HOUSENUMBER", "ADDRESS_ZIPCODE", "ADDRESS_CITY", "ADDRESS_COUNTRY",
    "CONTACT_PHONENUMBER_1", "CONTACT_PHONENUMBER_2", "CONTACT_EMAIL_1", "INVOICE_NUMBER", "INVOICE_DATE",
    "INVOICE_DUEDATE", "INVOICE_CURRENCY", "INVOICE_AMOUNT", "INVOICE_DESCRIPTION", "INVOICE_REFERENCE",
    "CONTROL_FLOWID",
]


@pytest.mark.parametrize(("fixture", "amounts", "due"), [
    ("erp_debiteuren.xlsx", ["1234.56", "€ 1.234,56", "85,00", "250"], ["2027-01-31", "31-12-2027"]),
    ("erp_debiteuren.csv", ["1234,56", "€ 1.234,56", "85,00", "250"], ["31-1-2027", "31-12-2027"]),
])
def test_the_erp_export_reads_through_its_mapping(fixture: str, amounts: list[str], due: list[str]) -> None:
    loaded = load(FIXTURES / fixture, FIXTURES / "erp_debiteuren.yaml")
    frame = loaded.frame
    assert isinstance(loaded, Loaded) and loaded.mapping.units == {"INVOICE_AMOUNT": "euros"}
    assert list(frame.columns) == ERP_COLUMNS
    assert frame.index.tolist() == list(range(2, 32))
    assert [(i.field, i.code, i.level) for i in loaded.issues] == [("Opmerking", "unknown-column", "warning")]
    assert frame["IDENTIFICATION_IDENTIFIER"].tolist()[:3] == ["00101", "00102", "00103"]
    assert frame.loc[2, "CONTACT_PHONENUMBER_2"] == "06-12345678"
    assert frame.loc[5, "CONTACT_PHONENUMBER_1"] == "+31 (0)20 123 4567"
    assert frame["INVOICE_AMOUNT"].tolist()[:4] == amounts
    assert frame["INVOICE_DUEDATE"].tolist()[:2] == due
    assert set(frame["CONTROL_FLOWID"]) == {"1001"} and set(frame["INVOICE_CURRENCY"]) == {"EUR"}


@pytest.mark.parametrize("fixture", ["erp_debiteuren.xlsx", "erp_debiteuren.csv"])
def test_the_erp_export_rejects_exactly_the_documented_records_for_sms_paylink(fixture: str) -> None:
    from alphaimport import Profile, validate

    frame = read(FIXTURES / fixture, FIXTURES / "erp_debiteuren.yaml")  # carries the mapping's units in attrs
    assert frame.attrs["mapping"].units == {"INVOICE_AMOUNT": "euros"}
    result = validate(frame, Profile("sms", "paylink"), today=dt.date(2026, 11, 22))
    assert sorted(result.rejected.index) == sorted(ERP.REJECTED)
    issues = result.issues.dropna(subset=["row"])
    found = {(int(r), c) for r, c in zip(issues["row"], issues["code"])}
    assert {(row, why.split(":")[0]) for row, why in ERP.REJECTED.items()} <= found
    warned = {(int(r), c) for r, c, level in zip(issues["row"], issues["code"], issues["level"]) if level == "warning"}
    assert warned == {(row, why.split(":")[0]) for row, why in ERP.WARNED.items()}
    assert result.accepted.loc[2, "INVOICE_AMOUNT"] == "123456"  # 1234.56 euros
    assert (result.issues["code"] == "unknown-column").sum() == 1  # Opmerking, carried from read()


# -- streaming, mapping arguments ------------------------------------------------------------------------

def test_iter_load_gives_the_same_frame_in_chunks() -> None:
    whole = read(FIXTURES / "erp_debiteuren.csv", FIXTURES / "erp_debiteuren.yaml")
    stream = iter_load(FIXTURES / "erp_debiteuren.csv", FIXTURES / "erp_debiteuren.yaml", chunk_rows=7)
    chunks = list(stream.chunks)
    assert stream.columns == ERP_COLUMNS and stream.mapping.region == "NL"
    assert [len(c) for c in chunks] == [7, 7, 7, 7, 2]
    pd.testing.assert_frame_equal(pd.concat(chunks), whole)
    assert [i.field for i in stream.issues] == ["Opmerking"]


@pytest.mark.parametrize("fixture", ["erp_debiteuren.csv", "erp_debiteuren.xlsx"])
@pytest.mark.parametrize("fields", [["IDENTIFICATION_IDENTIFIER"], ["CONTROL_FLOWID", "INVOICE_AMOUNT", "PERSON_NAME"],
                                    []])
def test_iter_load_of_some_fields_gives_those_columns_of_the_full_chunks(fixture: str, fields: list[str]) -> None:
    full = iter_load(FIXTURES / fixture, FIXTURES / "erp_debiteuren.yaml", chunk_rows=7)
    some = iter_load(FIXTURES / fixture, FIXTURES / "erp_debiteuren.yaml", chunk_rows=7, fields=fields)
    columns = [c for c in ERP_COLUMNS if c in fields]
    assert full.columns == ERP_COLUMNS and some.columns == columns
    chunks = list(some.chunks)
    assert [len(c) for c in chunks] == [7, 7, 7, 7, 2]
    for whole, part in zip(full.chunks, chunks):
        pd.testing.assert_frame_equal(part, whole[columns], check_column_type=bool(columns))


def test_iter_load_fields_is_a_collection_of_names() -> None:
    with pytest.raises(TypeError, match="collection of field names"):
        iter_load(FIXTURES / "erp_debiteuren.csv", fields="IDENTIFICATION_IDENTIFIER")


def test_iter_load_knows_a_headerless_column_with_values_in_the_first_chunk_before_reading_on() -> None:
    stream = iter_load(pd.DataFrame([["1", "x"]], columns=["reference", ""]))
    assert [i.field for i in stream.issues] == ["(empty header, column 2)"]


def test_iter_load_of_a_dataframe_warns_once_for_a_headerless_column_with_values_in_a_later_chunk() -> None:
    source = pd.DataFrame([["1", ""], ["2", ""], ["3", "x"], ["4", "y"]], columns=["reference", ""])
    columns, _, issues, chunks = iter_load(source, chunk_rows=1)
    assert issues == [] and columns == ["IDENTIFICATION_IDENTIFIER"]  # complete once the chunks are read
    assert [c.index.tolist() for c in chunks] == [[1], [2], [3], [4]]
    assert [i.field for i in issues] == ["(empty header, column 2)"]


@pytest.mark.parametrize("mapping", [
    {"columns": {"Klant nummer": "IDENTIFICATION_IDENTIFIER"}, "constants": {"CONTROL_FLOWID": 1001}},
    Mapping(columns={"klantnummer": "IDENTIFICATION_IDENTIFIER"}, constants={"CONTROL_FLOWID": "1001"}),
])
def test_a_mapping_may_be_a_dict_or_a_mapping(mapping: object) -> None:
    frame = read(pd.DataFrame({"Klantnummer": ["00123"]}), mapping)  # type: ignore[arg-type]
    assert frame.to_dict("list") == {"IDENTIFICATION_IDENTIFIER": ["00123"], "CONTROL_FLOWID": ["1001"]}


def test_two_headers_for_one_field_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("reference;REFERENCE\n1;2\n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"^dup\.csv: columns 'reference' \(column 1\) and 'REFERENCE' "
                                           r"\(column 2\) both map to IDENTIFICATION_IDENTIFIER"):
        read(path)


# -- finding the format ------------------------------------------------------------------------------------

def test_a_missing_file_and_a_directory_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"^x\.csv: no such file$"):
        read("x.csv")
    with pytest.raises(ReadError, match="is a directory"):
        read(tmp_path)


@pytest.mark.parametrize(("fixture", "disguise"), [
    ("messy20.xlsx", "messy20.csv"),  # content wins over a lying extension
    ("messy20.ods", "messy20"),  # no extension at all
    ("messy20.json", "messy20.txt"),
    ("messy20.xml", "messy20.dat"),
    ("messy20_utf8_bom_semicolon.csv", "messy20.xls"),  # an "Excel" export that is really text
])
def test_the_content_decides_where_the_extension_lies_or_is_missing(tmp_path: Path, fixture: str,
                                                                      disguise: str) -> None:
    shutil.copy(FIXTURES / fixture, tmp_path / disguise)
    pd.testing.assert_frame_equal(read(tmp_path / disguise).reset_index(drop=True), _expected())


def test_a_binary_file_object_is_read_by_its_content() -> None:
    data = (FIXTURES / "messy20.xlsx").read_bytes()
    pd.testing.assert_frame_equal(read(io.BytesIO(data)).reset_index(drop=True), _expected())
    with open(FIXTURES / "messy20_cp1252_comma_lowercase.csv", "rb") as handle:
        pd.testing.assert_frame_equal(read(handle).reset_index(drop=True), _expected())


def test_a_text_file_object_is_refused() -> None:
    with pytest.raises(TypeError, match="binary mode"):
        read(io.StringIO("reference\n1\n"))


def test_format_forces_the_reader(tmp_path: Path) -> None:
    path = tmp_path / "export.data"
    path.write_bytes((FIXTURES / "messy20_utf8_bom_semicolon.csv").read_bytes())
    assert len(read(path, format="CSV")) == 20
    with pytest.raises(UnsupportedFormat, match="unknown format 'pdf'"):
        read(path, format="pdf")


@pytest.mark.parametrize(("content", "message"), [
    (b"", r"^junk\.csv:? .*empty"),  # the CSV reader's words
    (bytes(range(256)) * 4, r"^junk\.csv: binary content of no known format"),
    (b"PK\x03\x04 not really a zip", r"^junk\.csv: a zip archive that is neither"),
    (b"<!DOCTYPE html><html><table>", r"^junk\.csv: an HTML page, not a table"),
], ids=["empty", "random-bytes", "broken-zip", "html"])
def test_unreadable_content_is_one_clear_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "junk.csv"
    path.write_bytes(content)
    with pytest.raises(ReadError, match=message):
        read(path)


@pytest.mark.parametrize(("head", "kind"), [
    (b"\xef\xbb\xbf<?xml version='1.0'?><annabel>", "xml"),
    (b"<annabel><record>", "xml"),
    (b"\xff\xfe" + "<?xml".encode("utf-16-le"), "xml"),
    (b"  \n[{\"reference\": \"1\"}]", "json"),
    (b"{\"rows\": []}", "json"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "xls"),
    (b"reference;personFamilyName\r\n1;M\xfcller\r\n", None),
    (b"", "empty"),
    (b"\x00\x01\x02\x03binary", "binary"),
])
def test_sniff(head: bytes, kind: str | None) -> None:
    assert sniff(head) == kind


@pytest.mark.parametrize(("by_name", "by_content", "chosen"), [
    ("csv", None, "csv"),
    (None, None, "csv"),
    ("xls", None, "csv"),
    ("json", None, "json"),
    ("csv", "xlsx", "xlsx"),
    ("xlsx", "xls", "xlsx"),  # an encrypted .xlsx is OLE2: the xlsx reader names the password protection
    ("xls", "xls", "xls"),
    ("xlsx", "zip", "xlsx"),  # a damaged archive: its own reader says what is wrong
    ("ods", "binary", "ods"),  # the spreadsheet readers describe what the bytes are
    ("xls", "html", "xls"),
    ("json", "empty", "json"),
])
def test_choose_format(by_name: str | None, by_content: str | None, chosen: str) -> None:
    assert choose_format(by_name, by_content) == chosen


@pytest.mark.parametrize(("by_name", "by_content", "message"), [
    (None, "empty", "data: the file is empty"),
    ("csv", "html", "data: an HTML page, not a table"),
    ("json", "binary", "data: binary content of no known format"),
    (None, "zip", "data: a zip archive that is neither an .xlsx nor an .ods spreadsheet"),
])
def test_choose_format_refuses_what_no_reader_takes(by_name: str | None, by_content: str, message: str) -> None:
    with pytest.raises(ReadError, match=message):
        choose_format(by_name, by_content, "data")


@pytest.mark.parametrize(("fixture", "message"), [
    ("xls_html_renamed.xls", "xls_html_renamed.xls: not a spreadsheet: the content is an HTML page"),
    ("xlsx_encrypted.xlsx", "xlsx_encrypted.xlsx: the workbook is password-protected"),
    ("xlsx_random_bytes.xlsx", "xlsx_random_bytes.xlsx: not a spreadsheet: the content is unrecognised binary data"),
    ("xlsx_truncated.xlsx", "xlsx_truncated.xlsx: truncated or damaged"),
])
def test_the_readers_own_messages_reach_the_user(fixture: str, message: str) -> None:
    with pytest.raises(ReadError, match=f"^{message}"):
        read(FIXTURES / fixture)


def test_a_csv_saved_under_an_xlsx_name_is_read_as_what_it_is() -> None:
    frame = read(FIXTURES / "xlsx_csv_renamed.xlsx")
    assert frame.index.tolist() == [2] and frame.attrs["issues"]  # its own headers: unknown columns
