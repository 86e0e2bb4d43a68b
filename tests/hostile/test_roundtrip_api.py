"""Round trips through the public API and the command line, as properties.

1. ``alphaimport.write`` then ``alphaimport.read`` gives back every value exactly, for each output format:
   quotes, ';', line breaks, diacritics, emoji, formulas, leading zeros, 255-character values.
2. A delivery is a fixed point: ``alphaimport validate`` of what ``alphaimport build`` wrote (same profile)
   accepts every record and changes no value (no ``normalised`` issue).
"""
from __future__ import annotations

import csv
import io
import itertools
import json
import os
import random
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import alphaimport as ai

from .harness import build_argv, CLIENT, DAY, judge, OUTPUT_FORMATS, run_inprocess

SCALE = int(os.environ.get("ALPHAIMPORT_FUZZ_SCALE", "1"))
ROUND_TRIP = settings(max_examples=6 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
_counter = itertools.count()

# what XML 1.0 can hold (XML, XLSX and ODS cannot store the rest; their writers refuse it)
xml_characters = st.characters(blacklist_categories=["Cs"], blacklist_characters="\ufffe\uffff",
                               min_codepoint=0x9).filter(lambda c: c in "\t\n\r" or c >= " ")
SPECIAL = ['"', "'", ";", ",", "\n", "\r\n", "\r", "\t", " ", "  ", "é", "ß", "Ö", "ø", "\u0301", "\U0001F600",
           "\U0001F1F3\U0001F1F1", "=cmd|' /C calc'!A0", "=1+1", "+31", "00123", "0", "_x0041_", "<b>", "&amp;",
           "]]>", "\u202e", "\u200b", "€"]
value = st.one_of(
    st.lists(st.one_of(st.sampled_from(SPECIAL), st.text(xml_characters, max_size=8)), max_size=6).map("".join),
    st.text(xml_characters, min_size=255, max_size=255),
    st.from_regex(r"0[0-9]{1,12}", fullmatch=True),
)
identifier = st.text(st.characters(whitelist_categories=["Lu", "Ll", "Nd"], max_codepoint=0x2FF), min_size=1,
                     max_size=12).map(lambda s: s + "")
COLUMNS = ["IDENTIFICATION_IDENTIFIER", "PERSON_FAMILYNAME", "PERSON_GIVENNAME", "CONTACT_PHONENUMBER_1",
           "INVOICE_DESCRIPTION", "INVOICE_REFERENCE", "CONTROL_FLOWID"]
records = st.lists(st.tuples(identifier, *[value] * (len(COLUMNS) - 1)), min_size=1, max_size=8)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS)
@ROUND_TRIP
@given(rows=records)
def test_write_then_read_gives_back_every_value(fmt: str, rows: list[tuple[str, ...]], workspace: Path) -> None:
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    frame[COLUMNS[0]] = [f"{v}-{i}" for i, v in enumerate(frame[COLUMNS[0]])]  # never a blank record
    folder = workspace / f"w{next(_counter)}"
    path = ai.write(frame, folder, format=fmt, client=CLIENT, day=DAY, ledger=workspace / "ledger.db")
    back = ai.read(path)
    assert set(back.columns) <= set(COLUMNS)
    # XML leaves empty fields out, so a field empty in every record is no column when read back
    assert fmt == "xml" or list(back.columns) == COLUMNS
    got = back.reindex(columns=COLUMNS, fill_value="").reset_index(drop=True).astype(object)
    for column in COLUMNS:
        assert got[column].tolist() == frame[column].tolist(), column


def test_write_then_read_of_a_golden_set(workspace: Path) -> None:
    # the examples the issue names, one by one, in every format
    values = ['say "hi"', "a;b", "line\nbreak", "Émile Zoë Ørsted", "\U0001F600 ok", "=cmd|' /C calc'!A0",
              "00123", "x" * 255, " padded ", "tab\there", "cr\rlf\r\n"]
    frame = pd.DataFrame({"IDENTIFICATION_IDENTIFIER": [f"G{i}" for i in range(len(values))],
                          "PERSON_FAMILYNAME": values, "CONTROL_FLOWID": ["0001"] * len(values)})
    for fmt in OUTPUT_FORMATS:
        path = ai.write(frame, workspace / f"golden-{fmt}", format=fmt, client=CLIENT, day=DAY,
                        ledger=workspace / "ledger.db")
        back = ai.read(path).reset_index(drop=True)
        assert back["PERSON_FAMILYNAME"].tolist() == values, fmt
        assert back["CONTROL_FLOWID"].tolist() == ["0001"] * len(values), fmt


# -- build, then validate the delivery: a fixed point ---------------------------------------------------------

MESSY = {
    "IDENTIFICATION_IDENTIFIER": None,  # generated: unique per record
    "PERSON_FAMILYNAME": [" van  der Berg ", "Jansen\n& Zn", "Öztürk", "O'Brien;", '"de" Vries', "\U0001F600",
                          "=1+1", "  ", "x" * 100],
    "PERSON_GIVENNAME": ["Émile", "Zoë\tAnn", "", "J."],
    "PERSON_GENDER": ["man", "vrouw", "M", "f", "U", ""],
    "CONTACT_PHONENUMBER_1": ["0612345678", "06-12345678", "+31 6 1234 5678", "0031612345678", "612345678",
                              "31612345678", "06 1234 5678"],
    "CONTACT_EMAIL_1": ["a@example.nl", " B@Example.NL ", "", "jan.jansen+x@example.com"],
    "ADDRESS_COUNTRY": ["nl", "NL", "Nederland", "be", ""],
    "INVOICE_AMOUNT": ["12345", "0", "99", ""],  # whole numbers: cents, as the spec says
    "INVOICE_DUEDATE": ["31-12-2027", "2027-12-31", "1/2/2028", "2027-06-30T00:00:00", ""],
    "INVOICE_CURRENCY": ["eur", "EUR", ""],
    "CONTROL_FLOWID": ["1001", " 1001 "],
}
PROFILES = (("sms", ""), ("mail", ""), ("voice", ""))


def _messy_records(rnd: random.Random, count: int) -> list[dict[str, str]]:
    rows = []
    for number in range(count):
        row = {field: rnd.choice(choices) for field, choices in MESSY.items() if choices is not None}
        row["IDENTIFICATION_IDENTIFIER"] = f" K{number:03d}{rnd.choice(['', ' ', 'a'])}"
        rows.append(row)
    return rows


def _as_csv(rows: list[dict[str, str]], rnd: random.Random) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), delimiter=rnd.choice(";,\t"),
                            lineterminator=rnd.choice(["\n", "\r\n"]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode(rnd.choice(["utf-8", "utf-8-sig", "cp1252"]), "replace")


@pytest.mark.parametrize("fmt", OUTPUT_FORMATS)
@settings(max_examples=4 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(rnd=st.randoms(use_true_random=False), count=st.integers(1, 12), profile=st.sampled_from(PROFILES),
       as_json=st.booleans())
def test_validate_of_a_delivery_accepts_every_record_and_changes_nothing(
        fmt: str, rnd: random.Random, count: int, profile: tuple[str, str], as_json: bool, workspace: Path) -> None:
    folder = workspace / f"fixed{next(_counter)}"
    folder.mkdir()
    rows = _messy_records(rnd, count)
    source = folder / ("input.json" if as_json else "input.csv")
    if as_json:
        source.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    else:
        source.write_bytes(_as_csv(rows, rnd))
    ledger = folder / "ledger.db"
    built = run_inprocess(build_argv(source, folder / "out", ledger, fmt, profile))
    assert built.code in (0, 1), built.err
    assert judge(built, folder / "out").ok
    deliveries = [p for p in (folder / "out").iterdir() if p.suffix == f".{fmt}" and ".rejects" not in p.name]
    if not deliveries:
        return  # every record rejected: nothing to validate
    accepted = len(ai.read(deliveries[0]))
    report = folder / "report.json"
    media, services = profile
    argv = ["validate", str(deliveries[0]), "--media", media, "--ledger", str(ledger), "--report", str(report),
            "--quiet"] + (["--services", services] if services else [])
    checked = run_inprocess(argv)
    issues = json.loads(report.read_text(encoding="utf-8"))
    assert checked.code == 0, (checked.out, [i for i in issues["issues"] if i["level"] == "error"][:5])
    assert issues["summary"]["accepted"] == accepted and issues["summary"]["rejected"] == 0
    changed = [i for i in issues["issues"] if i["code"] == "normalised" or i["level"] == "info"]
    assert changed == [], changed[:5]
    warnings = {i["code"] for i in issues["issues"] if i["level"] == "warning"}
    assert warnings <= {"identifier-delivered-before", "phone-not-mobile", "phone-national-guess"}, warnings


def test_a_dataframe_value_with_a_lone_surrogate_is_refused_naming_its_place() -> None:
    # pyarrow strings cannot hold half a UTF-16 pair: the library call says where it is, as the JSON reader does
    frame = pd.DataFrame({"IDENTIFICATION_IDENTIFIER": ["A1", "A2"], "PERSON_FAMILYNAME": ["ok", "x\ud800"]},
                         dtype=object)
    with pytest.raises(ai.ReadError, match=r"column 'PERSON_FAMILYNAME' row 2: \\ud800 is half a character"):
        ai.read(frame)
