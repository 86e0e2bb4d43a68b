"""`alphaimport fields` and `alphaimport schemas`, through main() and through a subprocess."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from alphaimport import schemagen
from alphaimport.cli import main

REPO = Path(__file__).resolve().parents[1]
# the SMS and PayLink columns of the guide's matrix, expanded
SMS_PAYLINK = {
    "IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "CONTACT_PHONENUMBER_1", "CONTACT_PHONENUMBER_2",
    "CONTACT_PHONENUMBER_3", "INVOICE_NUMBER", "INVOICE_DATE", "INVOICE_DUEDATE", "INVOICE_CURRENCY",
    "INVOICE_AMOUNT", "INVOICE_DESCRIPTION", "INVOICE_REFERENCE", "CONTROL_FLOWID",
}


def test_fields_json_marks_exactly_the_sms_and_paylink_columns(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fields", "--media", "sms", "--services", "paylink", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["column"] for r in rows if r["required"]} == SMS_PAYLINK
    by_column = {r["column"]: r for r in rows}
    assert by_column["INVOICE_AMOUNT"]["required_by"] == ["paylink"]
    assert by_column["IDENTIFICATION_IDENTIFIER"]["required_by"] == ["sms", "paylink"]
    assert by_column["CONTACT_PHONENUMBER_1"]["type"] == "phone"
    assert by_column["CONTACT_PHONENUMBER_1"]["max_length"] == 20
    assert by_column["CONTACT_PHONENUMBER_1"]["api"] == "toPhoneNumbers"
    assert by_column["INVOICE_TAX"] == {**by_column["INVOICE_TAX"], "required": False, "required_by": [],
                                        "api": None}


def test_fields_without_a_profile_show_the_guides_whole_matrix(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fields", "--format", "json"]) == 0
    by_column = {r["column"]: r for r in json.loads(capsys.readouterr().out)}
    assert [c for c, r in by_column.items() if r["required"]] == ["IDENTIFICATION_IDENTIFIER"]  # every profile
    assert by_column["IDENTIFICATION_IDENTIFIER"]["required_by"] == [
        "voice", "sms", "mail", "paylink", "emandate", "enrichment"]
    assert by_column["PERSON_FAMILYNAME"]["required_by"] == ["paylink", "emandate", "enrichment"]
    assert by_column["CONTACT_PHONENUMBER_2"]["required_by"] == ["voice", "sms"]
    assert by_column["INVOICE_TAX"]["required_by"] == []
    assert main(["fields"]) == 0
    lines = {line.split()[0]: line.split()[1:3] for line in capsys.readouterr().out.splitlines()[2:]}
    assert lines["IDENTIFICATION_IDENTIFIER"] == ["required", "voice,sms,mail,paylink,emandate,enrichment"]
    assert lines["PERSON_GENDER"] == ["by", "some"]  # "by some profiles", then emandate
    assert lines["INVOICE_TAX"][0] == "optional"


@pytest.mark.parametrize("fmt, expected_start", [
    ("csv", "column,required,required_by,type,max_length,repeat,api,description\n"
            "IDENTIFICATION_IDENTIFIER,required,mail,text,255,1,reference,"),
    ("markdown", "| column | required | required_by | type | max_length | repeat | api | description |\n"),
    ("table", "column"),
])
def test_fields_formats(fmt: str, expected_start: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fields", "--media", "mail", "--format", fmt]) == 0
    out = capsys.readouterr().out
    assert out.startswith(expected_start)
    assert len(out.strip().splitlines()) >= 70


def test_fields_table_is_readable(capsys: pytest.CaptureFixture[str]) -> None:
    main(["fields", "--media", "voice"])
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["column", "required", "required_by", "type", "max_length", "repeat", "api"]
    phone = next(line for line in lines if line.startswith("CONTACT_PHONENUMBER_1 "))
    assert phone.split()[:8] == ["CONTACT_PHONENUMBER_1", "at", "least", "one", "of", "CONTACT_PHONENUMBER_1.._3",
                                 "voice", "phone"]
    assert all(len(line) < 160 for line in lines)


def test_bad_profile_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fields", "--media", "fax"]) == 2
    err = capsys.readouterr().err
    assert err == "alphaimport: error: unknown medium fax; valid: voice, sms, mail\n"


def test_console_script_and_module_both_run() -> None:
    for command in (["alphaimport"], [sys.executable, "-m", "alphaimport"]):
        done = subprocess.run([*command, "fields", "--services", "enrichment", "--format", "json"],
                              capture_output=True, text=True, cwd=REPO, check=True)
        rows = json.loads(done.stdout)
        assert next(r for r in rows if r["column"] == "CONTROL_FLOWID")["required"] is False


def test_schemas_in_the_repo_are_what_the_registry_generates() -> None:
    for name, content in schemagen.generate().items():
        assert (REPO / "schemas" / name).read_text(encoding="utf-8") == content, f"run `alphaimport schemas`: {name}"


def test_schemas_check_notices_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schemas", "--out-dir", str(tmp_path)]) == 0
    assert main(["schemas", "--out-dir", str(tmp_path), "--check"]) == 0
    (tmp_path / "annabel.xsd").write_text("stale")
    assert main(["schemas", "--out-dir", str(tmp_path), "--check"]) == 1
    assert "annabel.xsd is out of date" in capsys.readouterr().err


def test_generated_xsd_and_json_schema_are_valid() -> None:
    from lxml import etree

    etree.XMLSchema(etree.fromstring(schemagen.annabel_xsd().encode()))
    schema = json.loads(schemagen.rowinput_schema())
    assert schema["properties"]["toPhoneNumbers"]["maxItems"] == 3
    assert schema["required"] == ["reference"]
    assert "INVOICE_TAX" not in json.dumps(schema)
