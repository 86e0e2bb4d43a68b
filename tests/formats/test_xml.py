"""alphaimport.formats.xml: the <annabel> layout read safely (no DTD, no entities), written to the XSD."""
from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from alphaimport.errors import ReadError, UnsafeInput, WriteError
from alphaimport.formats import ReadOptions
from alphaimport.formats import xml as xmlfmt

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
ATTACKS = ["xml_xxe_file_entity.xml", "xml_xxe_network.xml", "xml_xxe_parameter_entity.xml",
           "xml_billion_laughs.xml", "xml_quadratic_blowup.xml"]


def test_read_records() -> None:
    frame = xmlfmt.read(FIXTURES / "xml_records.xml", ReadOptions())
    assert list(frame.columns) == [
        "IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "PERSON_GIVENNAME", "CONTACT_PHONENUMBER_1",
        "CONTACT_PHONENUMBER_3", "CONTACT_EMAIL_1", "INVOICE_AMOUNT", "INVOICELINES_2_DESCRIPTION",
        "INVOICELINES_2_UNITPRICE", "person_extra/nickname",
    ]
    assert frame.index.tolist() == [1, 2, 3] and frame.index.name == "row"
    assert frame.to_dict("index") == {
        1: {"IDENTIFICATION_IDENTIFIER": "00123", "PERSON_FAMILYNAME": "Jansen & Zn", "PERSON_GIVENNAME": "Émile",
            "CONTACT_PHONENUMBER_1": "0612345678", "CONTACT_PHONENUMBER_3": "+31 20 123 4567", "CONTACT_EMAIL_1": "",
            "INVOICE_AMOUNT": "", "INVOICELINES_2_DESCRIPTION": "<b>2</b> units", "INVOICELINES_2_UNITPRICE": "1250",
            "person_extra/nickname": "Mile"},
        2: {"IDENTIFICATION_IDENTIFIER": "00124", "PERSON_FAMILYNAME": " De  Vries ", "PERSON_GIVENNAME": "",
            "CONTACT_PHONENUMBER_1": "", "CONTACT_PHONENUMBER_3": "", "CONTACT_EMAIL_1": "a@example.nl",
            "INVOICE_AMOUNT": "100", "INVOICELINES_2_DESCRIPTION": "", "INVOICELINES_2_UNITPRICE": "",
            "person_extra/nickname": ""},
        3: dict.fromkeys(frame.columns, ""),
    }
    assert all(isinstance(v, str) for column in frame for v in frame[column])


@pytest.mark.parametrize("rows", [1, 2, 5])
def test_chunks_add_up_to_the_whole(rows: int) -> None:
    path = FIXTURES / "xml_records.xml"
    chunks = list(xmlfmt.read_chunks(path, ReadOptions(), rows))
    assert all(len(c) <= rows for c in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks), xmlfmt.read(path, ReadOptions()))


@pytest.mark.parametrize("name", ATTACKS)
def test_dtd_attacks_are_refused_before_parsing(name: str) -> None:
    with pytest.raises(UnsafeInput) as caught:
        xmlfmt.read(FIXTURES / name, ReadOptions())
    assert str(caught.value).startswith(f"{name}: a DTD / DOCTYPE is not allowed")
    assert "root:" not in str(caught.value)


@pytest.mark.parametrize("name", ATTACKS)
def test_parser_alone_never_expands_or_leaks(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Defence in depth: with the DOCTYPE check switched off, the parser options still refuse or stay inert."""
    monkeypatch.setattr(xmlfmt, "refuse_doctype", lambda prefix, name: None)
    with pytest.raises(ReadError) as caught:
        xmlfmt.read(FIXTURES / name, ReadOptions())
    assert "root:" not in str(caught.value)
    parser = etree.XMLParser(**xmlfmt._SAFE)
    try:
        text = etree.tostring(etree.parse(str(FIXTURES / name), parser), encoding="unicode")
    except etree.XMLSyntaxError:
        return  # refused by libxml2 itself (entity amplification, parameter entities)
    assert "root:" not in text
    assert len(text) < 2 * (FIXTURES / name).stat().st_size  # nothing expanded


def test_doctype_behind_a_long_comment_is_refused(tmp_path: Path) -> None:
    attack = (FIXTURES / "xml_xxe_file_entity.xml").read_text()
    declaration, rest = attack.split("\n", 1)
    for comment, expected in (("x" * 70_000, "a DTD / DOCTYPE is not allowed"),
                              ("x" * 1_100_000, "bytes of comments before the root element")):
        path = tmp_path / "comment.xml"
        path.write_text(f"{declaration}\n<!--{comment}-->\n{rest}")
        with pytest.raises(UnsafeInput, match=expected):
            xmlfmt.read(path, ReadOptions())


@pytest.mark.parametrize("prefix", [
    b'<!DOCTYPE annabel>',
    b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- one -->\n<!-- two -->\n<?pi x?>\n<!doctype annabel>',
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE annabel []>'.encode("utf-16"),
])
def test_prolog_check_finds_the_doctype(prefix: bytes) -> None:
    with pytest.raises(UnsafeInput, match="^f.xml: a DTD / DOCTYPE is not allowed"):
        xmlfmt.refuse_doctype(prefix, "f.xml")


def test_prolog_check_lets_plain_documents_pass() -> None:
    xmlfmt.refuse_doctype(b'<?xml version="1.0"?>\n<!-- <!DOCTYPE in a comment> -->\n<annabel/>', "f.xml")
    xmlfmt.refuse_doctype(b"<annabel><record><!DOCTYPE", "f.xml")  # not in the prolog: a syntax error later


ERRORS = {
    "xml_malformed_line7.xml":
        "xml_malformed_line7.xml line 7: Opening and ending tag mismatch: familyname line 7 and givenname",
    "xml_wrong_root.xml": "xml_wrong_root.xml: the root element is <records>; an Annabel file starts with <annabel>",
    "xml_namespaced_root.xml": "xml_namespaced_root.xml: the root element is <{urn:example}annabel>; "
                               "an Annabel file starts with <annabel>",
    "xml_empty.xml": "xml_empty.xml is empty",
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_read_error(name: str) -> None:
    with pytest.raises(ReadError) as caught:
        xmlfmt.read(FIXTURES / name, ReadOptions())
    assert str(caught.value) == ERRORS[name]


@pytest.mark.parametrize("document, message", [
    (b"<annabel>\n<record><person><familyname>a</familyname>\n<familyname>b</familyname></person></record>"
     b"</annabel>", "input line 3: PERSON_FAMILYNAME appears twice in one record"),
    (b"<annabel><record><a><b><c>1</c></b></a></record></annabel>",
     "input line 1: <c> is nested too deep; a record holds categories holding fields"),
    (b"<annabel>\n<row/></annabel>", "input line 2: <row> inside <annabel>; expected <record>"),
    (b"<annabel><record/>\n<row/><record/></annabel>", "input line 2: <row> inside <annabel>; expected <record>"),
    (b"<annabel><record/>\n<row/></annabel>", "input line 2: <row> inside <annabel>; expected <record>"),
    (b"<annabel>\n<x><record/></x></annabel>",
     "input line 2: <record> inside <x>; a <record> belongs directly in <annabel>"),
    (b"<record/>", "input: the root element is <record>; an Annabel file starts with <annabel>"),
    (b"<annabel><record><person><familyname>a</familyname>b</person></record></annabel>",
     "input line 1: <person> holds both text and elements"),
    (b"<annabel><record><person>x<familyname>a</familyname></person></record></annabel>",
     "input line 1: <person> holds both text and elements"),
    (b"<annabel><record><person><familyname>&foo;</familyname></person></record></annabel>",
     "input line 1: Entity 'foo' not defined"),
    (b"  \n ", "input is empty"),
    (b"<annabel>" + b"<a>" * 300, "input line 1: elements nested more than 256 deep"),
    (b"<annabel><record>", "input line 1: Premature end of data in tag record line 1"),
])
def test_structure_errors(document: bytes, message: str) -> None:
    with pytest.raises(ReadError) as caught:
        xmlfmt.read(io.BytesIO(document), ReadOptions())
    assert str(caught.value) == message


def test_text_only_category_and_comments() -> None:
    frame = xmlfmt.read(io.BytesIO(b"<annabel><record><note>hi</note><person><familyname>Jan<!-- x -->sen"
                                   b"</familyname></person></record></annabel>"), ReadOptions())
    assert frame.to_dict("records") == [{"PERSON_FAMILYNAME": "Jansen", "note": "hi"}]


# -- writing -------------------------------------------------------------------------------------

VALID = pd.DataFrame({
    "IDENTIFICATION_IDENTIFIER": ["A-1", "A-2"],
    "PERSON_FAMILYNAME": ["Jansen & <Zn> 😀", ""],
    "PERSON_GENDER": ["F", ""],
    "PERSON_BIRTHDAY": ["1980-05-17", ""],
    "CONTACT_PHONENUMBER_1": ["31612345678", ""],
    "CONTACT_PHONENUMBER_2": ["", "31201234567"],
    "CONTACT_EMAIL_1": ["a@example.nl", ""],
    "INVOICE_CURRENCY": ["EUR", ""],
    "INVOICE_AMOUNT": ["12345", ""],
    "INVOICELINES_1_DESCRIPTION": ["Huur\r\nmaart", ""],
    "INVOICELINES_2_UNITPRICE": ["1250", ""],
    "CONTRACT_CONTACT_FAMILYNAME": ["Smit", ""],
    "CONTROL_FLOWID": ["1001", "1001"],
    "SERVICES_ENRICHMENT": ["1", ""],
}, index=pd.Index([2, 3], name="row"))


def write(path: Path, frame: pd.DataFrame, columns: list[str] | None = None) -> bytes:
    with xmlfmt.Writer(path, columns or list(frame.columns)) as writer:
        writer.write(frame)
    return path.read_bytes()


def test_writer_output_validates_against_the_xsd(tmp_path: Path) -> None:
    data = write(tmp_path / "out.xml", VALID)
    schema = etree.XMLSchema(etree.parse(str(ROOT / "schemas" / "annabel.xsd")))
    document = etree.parse(str(tmp_path / "out.xml"))
    assert schema.validate(document), schema.error_log
    assert data.startswith(b"<?xml version='1.0' encoding='utf-8'?>\n<annabel>\n<record>")
    assert b"<record><identification><identifier>A-2</identifier></identification><contact><phonenumber_2>" in data
    assert b"<person>" not in data.split(b"</record>")[1]  # an empty category is left out
    assert "<familyname>Jansen &amp; &lt;Zn&gt; 😀</familyname>".encode() in data


def test_writer_output_reads_back_identical(tmp_path: Path) -> None:
    write(tmp_path / "out.xml", VALID)
    back = xmlfmt.read(tmp_path / "out.xml", ReadOptions())
    pd.testing.assert_frame_equal(back, VALID.set_axis(pd.Index([1, 2], name="row")))


def test_writer_orders_columns_as_the_registry(tmp_path: Path) -> None:
    frame = VALID[["CONTROL_FLOWID", "IDENTIFICATION_IDENTIFIER"]].iloc[:1]
    data = write(tmp_path / "out.xml", frame)
    assert b"<record><identification><identifier>A-1</identifier></identification><control><flowid>1001" in data


def test_writer_refusals(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not fields of the registry"):
        xmlfmt.Writer(tmp_path / "out.xml", ["FAMILYNAME"])
    with pytest.raises(WriteError, match="cannot write"):
        xmlfmt.Writer(tmp_path / "missing" / "out.xml", ["PERSON_FAMILYNAME"])
    with pytest.raises(WriteError, match="record 1 PERSON_FAMILYNAME"):
        write(tmp_path / "out.xml", pd.DataFrame({"PERSON_FAMILYNAME": ["bell\x07"]}))


def test_writer_without_records(tmp_path: Path) -> None:
    xmlfmt.Writer(tmp_path / "out.xml", ["PERSON_FAMILYNAME"]).close()
    assert (tmp_path / "out.xml").read_bytes() == b"<?xml version='1.0' encoding='utf-8'?>\n<annabel>\n</annabel>"
    assert xmlfmt.read(tmp_path / "out.xml", ReadOptions()).empty


XML_TEXT = st.lists(st.sampled_from(list("aZ09 &<>'\"\t\néüß😀;") + ["]]>", "\r\n", "=cmd|' /C calc'!A0", "00123"]),
                    max_size=10).map("".join) | st.just("x" * 255)
COLUMNS = ["IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_3", "INVOICELINES_3_DESCRIPTION"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(*[XML_TEXT] * len(COLUMNS)), min_size=1, max_size=8))
def test_write_then_read_gives_the_same_frame(tmp_path_factory: pytest.TempPathFactory,
                                              records: list[tuple[str, ...]]) -> None:
    frame = pd.DataFrame(records, columns=COLUMNS)
    path = tmp_path_factory.mktemp("x") / "out.xml"
    write(path, frame)
    back = xmlfmt.read(path, ReadOptions())
    present = [c for c in COLUMNS if frame[c].ne("").any()]  # XML has no header: an always-empty column is absent
    assert list(back.columns) == present
    assert back.to_numpy().tolist() == frame[present].to_numpy().tolist()
    assert back.index.tolist() == list(range(1, len(records) + 1))
