"""alphaimport.formats.ods: reading ODS as text, refusing bad ones, writing string-only sheets."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alphaimport.errors import ReadError, UnsafeInput, WriteError
from alphaimport.formats import ReadOptions, for_path, ods

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
NONE = ReadOptions()


def frame_of(header: list[str], records: dict[int, list[str]]) -> pd.DataFrame:
    frame = pd.DataFrame(list(records.values()), index=pd.Index(list(records), dtype="int64", name="row"),
                         columns=range(len(header)), dtype=object)
    frame.columns = pd.Index(header, dtype=object)
    return frame


def read(name: str, **options: str) -> pd.DataFrame:
    return ods.read(FIXTURES / name, ReadOptions(**options))


# -- reading -------------------------------------------------------------------------------------------

def test_every_cell_reads_as_the_text_a_user_sees() -> None:
    """odfpy's file: typed cells, an empty row 2, a million repeated empty rows below the data."""
    header = ["Vervaldatum", "Aangemaakt", "Aantal", "Som", "Klantnummer", "Akkoord", "Percentage", "Bedrag",
              "Tijd", "2027"]
    expected = frame_of(header, {
        3: ["2027-12-31", "2027-12-31T13:45:10", "1234", "0.3", "00123", "1", "0.25", "12.5", "13:45:00", ""],
        4: ["ragged"] + [""] * 9,
    })
    pd.testing.assert_frame_equal(read("ods_basic.ods"), expected)


def test_a_file_libreoffice_saved_reads_like_the_xlsx_it_came_from() -> None:
    from alphaimport.formats import xlsx

    original = xlsx.read(FIXTURES / "xlsx_dates_numbers_text.xlsx", NONE)
    saved = read("ods_from_libreoffice.ods")
    # known gap: calamine gives an ODS duration cell as its ISO 8601 text, not as [h]:mm:ss
    assert saved.loc[2, "Duur"] == "PT36H00M00S"
    saved.loc[2, "Duur"] = original.loc[2, "Duur"]
    pd.testing.assert_frame_equal(saved, original)


def test_ods_is_this_reader() -> None:
    assert for_path("x.ODS") is ods


@pytest.mark.parametrize("fixture, error, message", [
    ("ods_truncated.ods", ReadError, "ods_truncated.ods: truncated or damaged: not a complete zip archive"),
    ("ods_zip_bomb.ods", UnsafeInput, "ods_zip_bomb.ods: declared uncompressed size 5.0 GB exceeds the "
                                      "2 GiB limit (zip bomb?)"),
    ("ods_encrypted.ods", ReadError, "ods_encrypted.ods: the spreadsheet is password-protected; "
                                     "save it without a password"),
])
def test_bad_files_get_one_line_errors_naming_the_file(fixture: str, error: type, message: str) -> None:
    with pytest.raises(error) as caught:
        read(fixture)
    assert type(caught.value) is error and str(caught.value) == message


def test_an_opendocument_text_is_not_a_spreadsheet(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "brief.ods", "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    with pytest.raises(ReadError, match=r"^brief\.ods: an OpenDocument text document, not a spreadsheet$"):
        ods.read(tmp_path / "brief.ods", NONE)


def test_a_repeated_cell_over_a_huge_area_is_refused(tmp_path: Path) -> None:
    """900 bytes that repeat one cell over 1,048,575 rows x 16,384 columns: calamine refuses it itself."""
    content = ('<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               '<table:table table:name="S"><table:table-row table:number-rows-repeated="1048575">'
               '<table:table-cell table:number-columns-repeated="16384" office:value-type="string">'
               "<text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet>"
               "</office:body></office:document-content>")
    writer = ods.Writer(tmp_path / "seed.ods", ["x"])
    writer.close()
    with zipfile.ZipFile(tmp_path / "seed.ods") as seed, zipfile.ZipFile(tmp_path / "bomb.ods", "w") as bomb:
        for part in seed.namelist():
            bomb.writestr(part, content if part == "content.xml" else seed.read(part))
    with pytest.raises(UnsafeInput, match=r"^bomb\.ods: the sheet spans too many cells \(Cell limit exceeded"):
        ods.read(tmp_path / "bomb.ods", NONE)


def test_chunks_concatenate_to_the_whole_frame() -> None:
    chunks = list(ods.read_chunks(FIXTURES / "ods_basic.ods", NONE, 1))
    assert [len(c) for c in chunks] == [1, 1]
    pd.testing.assert_frame_equal(pd.concat(chunks), read("ods_basic.ods"))


# -- writing -----------------------------------------------------------------------------------------------

COLUMNS = ["IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1"]
TRICKY = ["=1+1", "00123", "1234", "0612345678", "=cmd|' /C calc'!A0", "-5", 'say "hi"; ok', "a\nb", "a\r\nb",
          "\n", " lead", "trail ", "two  spaces", "   ", "\ttab", "é ü ß", "\U0001F600", "x" * 255, "_x0041_",
          "TRUE", "2027-12-31", "<b>&amp;</b>"]


def write(path: Path, records: list[list[str]], columns: list[str] = COLUMNS) -> Path:
    frame = pd.DataFrame(records, columns=columns, dtype=object,
                         index=pd.Index(range(10, 10 + len(records)), name="row"))
    with ods.Writer(path, columns) as writer:
        writer.write(frame)
    return path


@pytest.mark.parametrize("value, xml", [
    ("plain", "plain"),
    ("a  b", "a <text:s/>b"),
    ("a    b", 'a <text:s text:c="3"/>b'),
    (" a ", "<text:s/>a<text:s/>"),
    ("a\n\nb", "a</text:p><text:p></text:p><text:p>b"),
    ("<&>\r", "&lt;&amp;&gt;&#13;"),
    ("\tx", "\tx"),
])
def test_paragraphs(value: str, xml: str) -> None:
    assert ods.paragraphs(value) == xml


def test_the_written_sheet_reads_back_identically(tmp_path: Path) -> None:
    records = [TRICKY[i:i + 3] for i in range(0, len(TRICKY) - 2)]
    back = ods.read(write(tmp_path / "out.ods", records), NONE)
    pd.testing.assert_frame_equal(back, frame_of(COLUMNS, dict(zip(range(2, 2 + len(records)), records))))


def test_the_package_is_a_valid_opendocument_with_string_cells_only(tmp_path: Path) -> None:
    with zipfile.ZipFile(write(tmp_path / "out.ods", [["=1+1", "1234", ""]])) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
        assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        content = archive.read("content.xml").decode()
        assert {"META-INF/manifest.xml", "styles.xml"} <= set(archive.namelist())
    assert content.count('office:value-type="string"') == 5
    assert "table:formula" not in content and "office:value=" not in content


def test_pandas_odf_reads_the_written_values(tmp_path: Path) -> None:
    records = [[v, "", "x"] for v in TRICKY if "\t" not in v]  # odfpy's reader keeps a tab too; see below
    records += [["\ttab", "a\tb", "x"]]
    back = pd.read_excel(write(tmp_path / "out.ods", records), engine="odf", dtype=str, keep_default_na=False)
    assert list(back.columns) == COLUMNS
    assert back.to_numpy().tolist() == records


@pytest.mark.parametrize("value, code", [("a\x00b", "0000"), ("a\x01b", "0001"), ("\x1b[0m", "001B"),
                                         ("\uffff", "FFFF")])
def test_characters_xml_forbids_are_refused_naming_row_and_column(tmp_path: Path, value: str, code: str) -> None:
    with pytest.raises(WriteError) as caught:
        write(tmp_path / "out.ods", [["1", "ok", value]])
    assert str(caught.value) == (f"out.ods: sheet row 2 (source row 10), column CONTACT_PHONENUMBER_1: character "
                                 f"U+{code} cannot be stored in ODS (XML 1.0 forbids it)")


def test_an_all_empty_record_still_makes_a_valid_row(tmp_path: Path) -> None:
    with zipfile.ZipFile(write(tmp_path / "out.ods", [["", "", ""], ["1", "", ""]])) as archive:
        content = archive.read("content.xml").decode()
    assert "<table:table-row><table:table-cell/></table:table-row>" in content
    assert ods.read(tmp_path / "out.ods", NONE).index.tolist() == [3]  # an empty row is no record


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufffe\uffff",
                                  codec="utf-8").filter(lambda c: c >= " " or c in "\t\n\r"), max_size=40)
_VALUES = st.one_of(_XML_TEXT, st.sampled_from(TRICKY + ["", " ", "  "]))
_RECORDS = st.lists(st.lists(_VALUES, min_size=3, max_size=3).filter(any), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(records=_RECORDS)
def test_round_trip_of_any_xml_text(tmp_path: Path, records: list[list[str]]) -> None:
    back = ods.read(write(tmp_path / "rt.ods", records), NONE)
    assert back.to_numpy().tolist() == records
    assert back.index.tolist() == list(range(2, 2 + len(records)))


_CELLS = st.one_of(_XML_TEXT, st.sampled_from(TRICKY + ["", "", " ", "  ", " a", "a ", "a\n b ", " \n ", "é  "]))
_BATCHES = st.integers(1, 4).flatmap(lambda width: st.lists(st.lists(_CELLS, min_size=width, max_size=width),
                                                             min_size=1, max_size=8))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=_BATCHES)
def test_a_batch_is_the_same_xml_as_its_rows_one_by_one(tmp_path: Path, batch: list[list[str]]) -> None:
    with ods.Writer(tmp_path / "batch.ods", [f"C{i}" for i in range(len(batch[0]))]) as writer:
        expected = "".join(writer._row_xml(values, 2 + i) for i, values in enumerate(batch)).encode()
        assert writer._rows_xml(batch) == expected


def test_typed_and_missing_values_are_written_as_their_text(tmp_path: Path) -> None:
    frame = pd.DataFrame({"IDENTIFICATION_IDENTIFIER": pd.array(["00123", None], dtype="str"),
                          "PERSON_FAMILYNAME": [1234, 5], "CONTACT_PHONENUMBER_1": [2.5, float("nan")]})
    with ods.Writer(tmp_path / "typed.ods", COLUMNS) as writer:
        writer.write(frame)
    back = pd.read_excel(tmp_path / "typed.ods", engine="odf", dtype=str, keep_default_na=False)
    assert back.to_numpy().tolist() == [["00123", "1234", "2.5"], ["", "5", ""]]


def test_memory_does_not_grow_with_the_records(tmp_path: Path) -> None:
    import tracemalloc

    def peak(chunks: int) -> int:
        tracemalloc.start()
        with ods.Writer(tmp_path / f"m{chunks}.ods", COLUMNS) as writer:
            for _ in range(chunks):
                writer.write(pd.DataFrame([["0612345678", "Jansen  van der Berg", "a\nb"]] * 5_000, columns=COLUMNS))
        peak_bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return peak_bytes

    small, large = peak(2), peak(12)
    assert large < small * 1.5, (small, large)
