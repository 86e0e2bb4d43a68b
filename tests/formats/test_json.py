"""alphaimport.formats.json: API RowInput objects in, API names kept, list fields spread over _1.._3."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

import alphaimport
from alphaimport.errors import ReadError
from alphaimport.formats import ReadOptions
from alphaimport.formats import json as jsonfmt

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_read_rowinput_list() -> None:
    frame = jsonfmt.read(FIXTURES / "json_rowinput_list.json", ReadOptions())
    assert list(frame.columns) == [
        "reference", "script", "personFamilyName", "CONTACT_PHONENUMBER_1", "CONTACT_PHONENUMBER_2",
        "invoiceAmount", "INVOICELINES_1_DESCRIPTION", "INVOICELINES_2_DESCRIPTION", "INVOICELINES_1_UNITPRICE",
        "INVOICELINES_2_UNITPRICE", "personBirthDay", "emandateReason", "services",
    ]
    assert frame.index.tolist() == [1, 2] and frame.index.name == "row"
    assert frame.to_dict("index") == {
        1: {"reference": "00123", "script": "1001", "personFamilyName": "Jansen",
            "CONTACT_PHONENUMBER_1": "+31612345678", "CONTACT_PHONENUMBER_2": "+31201234567",
            "invoiceAmount": "56445", "INVOICELINES_1_DESCRIPTION": "Huur", "INVOICELINES_2_DESCRIPTION": "Service",
            "INVOICELINES_1_UNITPRICE": "1250", "INVOICELINES_2_UNITPRICE": "12.5", "personBirthDay": "2000-01-01",
            "emandateReason": "", "services": "1"},
        2: {"reference": "00124", "script": "1001", "personFamilyName": "Müller 😀", "CONTACT_PHONENUMBER_1": "",
            "CONTACT_PHONENUMBER_2": "", "invoiceAmount": "00100", "INVOICELINES_1_DESCRIPTION": "",
            "INVOICELINES_2_DESCRIPTION": "", "INVOICELINES_1_UNITPRICE": "", "INVOICELINES_2_UNITPRICE": "",
            "personBirthDay": "", "emandateReason": "", "services": ""},
    }
    assert all(isinstance(v, str) for column in frame for v in frame[column])


def test_read_addrecords_variables() -> None:
    frame = jsonfmt.read(FIXTURES / "json_addrecords_variables.json", ReadOptions())
    assert frame.loc[1, "reference"] == "f0e7a0c3"
    assert frame.loc[1, "CONTACT_PHONENUMBER_1"] == "+31612345678"
    assert len(frame.columns) == 13


def test_a_single_value_for_a_list_field_is_a_one_item_list() -> None:
    """GraphQL input coercion turns a single value for a list argument into a one-item list."""
    frame = jsonfmt.read(FIXTURES / "json_scalar_for_list.json", ReadOptions())
    assert frame.to_dict("records") == [{"reference": "1", "CONTACT_PHONENUMBER_1": "+31612345678"}]


@pytest.mark.parametrize("document, expected", [
    (b'[{"a": 1.50, "b": 1e2, "c": 12345678901234567890, "d": false, "e": null, "f": -0.0}]',
     {"a": "1.50", "b": "100", "c": "12345678901234567890", "d": "0", "e": "", "f": "-0.0"}),
    (b'{"variables": {"rows": [{"reference": "x"}]}}', {"reference": "x"}),
    (b'\xef\xbb\xbf[{"reference": "bom"}]', {"reference": "bom"}),
    (b'[{"toPhoneNumbers": [null, "+31612345678"]}]', {"CONTACT_PHONENUMBER_1": "", "CONTACT_PHONENUMBER_2": "+31612345678"}),
    (b'[{"a": "\\ud83d\\ude00 \\u00e9"}]', {"a": "😀 é"}),
])
def test_values_become_text_as_written(document: bytes, expected: dict[str, str]) -> None:
    assert jsonfmt.read(io.BytesIO(document), ReadOptions()).to_dict("records") == [expected]


def test_long_numbers_keep_every_digit_as_written() -> None:
    """JSON numbers are read as written (Decimal), never through a float: no digit is lost or rounded."""
    frame = jsonfmt.read(FIXTURES / "json_long_numbers.json", ReadOptions())
    assert frame.to_dict("records") == [
        {"reference": "1234567890123456.0", "invoiceAmount": "0.30000000000000004"},
        {"reference": "9007199254740991", "invoiceAmount": "1234.5678901234567"},
    ]
    read = alphaimport.read(FIXTURES / "json_long_numbers.json")
    assert read["IDENTIFICATION_IDENTIFIER"].tolist() == ["1234567890123456.0", "9007199254740991"]


def test_no_records() -> None:
    for document in (b"[]", b'{"rows": []}'):
        frame = jsonfmt.read(io.BytesIO(document), ReadOptions())
        assert frame.empty and frame.index.name == "row"


ERRORS = {
    "json_list_too_long.json": "json_list_too_long.json record 2: toPhoneNumbers holds 4 items; at most 3 are allowed",
    "json_nested_object.json": "json_nested_object.json record 1 key 'person': expected a single value, got an object",
    "json_malformed_line3.json": "json_malformed_line3.json line 3 column 24: Expecting ':' delimiter",
    "json_empty.json": "json_empty.json is empty",
    "json_wrong_shape.json": 'json_wrong_shape.json: expected a list of RowInput objects or {"rows": [...]}, '
                             "got an object",
    "json_duplicate_key.json": "json_duplicate_key.json record 1: the key 'personFamilyName' appears twice",
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_read_error(name: str) -> None:
    with pytest.raises(ReadError) as caught:
        jsonfmt.read(FIXTURES / name, ReadOptions())
    assert str(caught.value) == ERRORS[name]


@pytest.mark.parametrize("document, message", [
    (b"[1]", "input record 1: expected an object, got a number"),
    (b'["x"]', "input record 1: expected an object, got a string"),
    (b'[{"a": [1]}]', "input record 1 key 'a': expected a single value, got a list"),
    (b'[{"toPhoneNumbers": [["x"]]}]', "input record 1 toPhoneNumbers[0]: expected a single value, got a list"),
    (b'[{"toPhoneNumbers": ["x"], "CONTACT_PHONENUMBER_1": "y"}]', "input record 1: CONTACT_PHONENUMBER_1 is given twice"),
    (b'[{"a": NaN}]', "input: not valid JSON: NaN is not a JSON value"),
    (b'[{"a": "caf\xe9"}]', "input line 1: cannot decode byte 0xe9 as utf-8; JSON must be UTF-8"),
    (b'"rows"', 'input: expected a list of RowInput objects or {"rows": [...]}, got a string'),
    (b'[{"a": "x\\ud83d"}]', "input record 1 key 'a': \\ud83d is half a character (a lone surrogate)"),
    (b'[{"\\udfff": "x"}]', "input record 1: a key holds half a character (a lone surrogate)"),
])
def test_shape_errors(document: bytes, message: str) -> None:
    with pytest.raises(ReadError) as caught:
        jsonfmt.read(io.BytesIO(document), ReadOptions())
    assert str(caught.value) == message


def test_deep_nesting() -> None:
    with pytest.raises(ReadError, match="^input: not valid JSON: nested too deep$"):
        jsonfmt.read(io.BytesIO(b"[" * 100_000), ReadOptions())


def test_forced_encoding() -> None:
    frame = jsonfmt.read(io.BytesIO('[{"a": "café"}]'.encode("cp1252")), ReadOptions(encoding="cp1252"))
    assert frame.loc[1, "a"] == "café"
    with pytest.raises(ReadError, match="unknown encoding"):
        jsonfmt.read(io.BytesIO(b"[]"), ReadOptions(encoding="nope"))


def test_file_object_name_in_messages() -> None:
    with open(FIXTURES / "json_list_too_long.json", "rb") as handle:
        with pytest.raises(ReadError, match=r"^json_list_too_long.json record 2: "):
            jsonfmt.read(handle, ReadOptions())
