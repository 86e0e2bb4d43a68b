"""Delivery files: unique names over history, no overwrite, no partial file, concurrent builds."""
from __future__ import annotations

import multiprocessing
import os
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import alphaimport as ai
from alphaimport.deliver import Delivery, check_client, check_day
from alphaimport.errors import OptionError, WriteError
from alphaimport.ledger import Ledger

FRAME = pd.DataFrame({"IDENTIFICATION_IDENTIFIER": ["00123", "A-2"], "PERSON_FAMILYNAME": ["van der Berg", "Öz"]},
                     index=pd.Index([2, 3], name="row"))


def test_write_names_files_by_day_client_and_number(tmp_path: Path) -> None:
    ledger = tmp_path / "l.db"
    first = ai.write(FRAME, tmp_path / "out", format="csv", client="1001", day="20261122", ledger=ledger)
    second = ai.write(FRAME, tmp_path / "out", format="csv", client="1001", day="20261122", ledger=ledger)
    assert (first.name, second.name) == ("20261122-1001-1.csv", "20261122-1001-2.csv")
    assert first.read_bytes().startswith(b'"IDENTIFICATION_IDENTIFIER";"PERSON_FAMILYNAME"\n"00123";')
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [first.name, second.name]


def test_names_are_unique_over_history_not_only_the_folder(tmp_path: Path) -> None:
    ledger = tmp_path / "l.db"
    first = ai.write(FRAME, tmp_path / "a", client="1001", day="20261122", ledger=ledger)
    first.unlink()  # sent and cleaned up: the name is still issued
    again = ai.write(FRAME, tmp_path / "a", client="1001", day="20261122", ledger=ledger)
    assert again.name == "20261122-1001-2.csv"


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "20261122-1001-1.csv").write_text("someone else's file")
    path = ai.write(FRAME, out, client="1001", day="20261122", ledger=tmp_path / "l.db")
    assert path.name == "20261122-1001-2.csv"
    assert (out / "20261122-1001-1.csv").read_text() == "someone else's file"


def test_an_error_while_writing_leaves_no_file_and_burns_the_name(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with Ledger(tmp_path / "l.db") as ledger:
        with pytest.raises(RuntimeError):
            with Delivery(out, "1001", "csv", list(FRAME.columns), ledger, "20261122") as delivery:
                delivery.write(FRAME)
                raise RuntimeError("interrupted")
        assert list(out.iterdir()) == []
        assert ledger.deliveries()[0][:2] == ("20261122-1001-1.csv", "failed")


@pytest.mark.parametrize("client", ["../etc", "10/01", "a\x00b", "", "x" * 33, "10 01", ".."])
def test_client_codes_cannot_escape_the_folder(client: str) -> None:
    with pytest.raises(OptionError, match="must be 1 to 32 letters and digits"):
        check_client(client)


@pytest.mark.parametrize("day", ["2026-11-22", "20261322", "20260230", "tomorrow"])
def test_bad_dates_are_refused(day: str) -> None:
    with pytest.raises(OptionError, match="is not a date as YYYYMMDD"):
        check_day(day)


def test_a_read_only_folder_is_a_clear_error_and_leaves_nothing(tmp_path: Path) -> None:
    # /proc/self is a folder nobody can create files in, root included (CI runs as root)
    with pytest.raises(WriteError, match=r"the output folder /proc/self is not writable"):
        ai.write(FRAME, "/proc/self", client="1001", day="20261122", ledger=tmp_path / "l.db")
    with Ledger(tmp_path / "l.db") as ledger:
        assert ledger.deliveries() == []


def test_a_full_disk_is_a_clear_error_and_leaves_no_partial_file(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from alphaimport import formats

    def full(self: object, frame: pd.DataFrame) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(formats.writer("csv"), "write", full)
    out = tmp_path / "out"
    with pytest.raises(WriteError, match=r"cannot write into .*out: No space left on device"):
        ai.write(FRAME, out, client="1001", day="20261122", ledger=tmp_path / "l.db")
    assert list(out.iterdir()) == []
    with Ledger(tmp_path / "l.db") as ledger:
        assert ledger.deliveries()[0][:2] == ("20261122-1001-1.csv", "failed")


def test_a_file_in_place_of_the_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(WriteError, match="cannot create the output folder"):
        ai.write(FRAME, tmp_path / "out", client="1001", day="20261122", ledger=tmp_path / "l.db")


FORMATS = ["csv", "xml", "xlsx", "ods"]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(("value", "kind"), [
    (1250, "an int"), (1.5, "a float"), (np.int64(1250), "an int64"), (Decimal("12.50"), "a Decimal"),
    (b"1250", "bytes"), (pd.Timestamp("2027-12-31"), "a Timestamp"), (["12", "50"], "a list"),
], ids=["int", "float", "int64", "Decimal", "bytes", "Timestamp", "list"])
def test_a_value_that_is_not_text_is_refused_alike_in_every_format_before_anything_is_made(
        tmp_path: Path, fmt: str, value: object, kind: str) -> None:
    """No format guesses how a number shows (1.5 is no amount in cents): write takes text, as validate gives."""
    frame = FRAME.assign(INVOICE_AMOUNT=pd.Series(["1250", value], index=FRAME.index, dtype=object))
    with pytest.raises(TypeError) as caught:
        ai.write(frame, tmp_path / "out", format=fmt, client="1001", day="20261122", ledger=tmp_path / "l.db")
    assert str(caught.value) == (f"column INVOICE_AMOUNT row 3 holds {kind}, not a str: every value written "
                                 "must be text, as validate gives it")
    assert list(tmp_path.iterdir()) == []  # no folder, no ledger, no file


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_numeric_column_is_refused_at_its_first_value(tmp_path: Path, fmt: str) -> None:
    frame = FRAME.assign(INVOICE_AMOUNT=[1.5, 2.0])  # float64, as pandas makes it
    with pytest.raises(TypeError, match=r"^column INVOICE_AMOUNT row 2 holds a float, not a str: "):
        ai.write(frame, tmp_path / "out", format=fmt, client="1001", day="20261122", ledger=tmp_path / "l.db")


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_chunk_that_is_not_text_reserves_no_name_and_makes_no_file(tmp_path: Path, fmt: str) -> None:
    """The build's path: Delivery.write refuses the chunk before the first record reserves a name."""
    out = tmp_path / "out"
    columns = [*FRAME.columns, "INVOICE_AMOUNT"]
    with Ledger(tmp_path / "l.db") as ledger:
        with Delivery(out, "1001", fmt, columns, ledger, "20261122") as delivery:
            with pytest.raises(TypeError, match=r"^column INVOICE_AMOUNT row 2 holds an int, not a str"):
                delivery.write(FRAME.assign(INVOICE_AMOUNT=[1250, 99]))
            assert delivery.reservation is None and list(out.iterdir()) == []
            delivery.write(FRAME.assign(INVOICE_AMOUNT=["1250", "99"]))
            (path,) = delivery.commit()
        assert path.name == f"20261122-1001-1.{fmt}"
        assert [d[:2] for d in ledger.deliveries()] == [(path.name, "complete")]


MISSING = FRAME.assign(
    PERSON_GIVENNAME=pd.Series([None, "Piet"], index=FRAME.index, dtype=object),
    PERSON_HONORIFICPREFIX=pd.array([pd.NA, "dhr."], dtype="string"),
    INVOICE_DESCRIPTION=np.nan,  # a whole column of NaN: float64
    INVOICE_REFERENCE=pd.Categorical(["R1", None]),
    INVOICE_SERIAL=pd.array(["S1", None], dtype=pd.ArrowDtype(pa.string())),
)


def test_missing_values_are_empty_cells_in_csv(tmp_path: Path) -> None:
    path = ai.write(MISSING, tmp_path / "out", client="1001", day="20261122", ledger=tmp_path / "l.db")
    assert path.read_text(encoding="utf-8") == (
        '"IDENTIFICATION_IDENTIFIER";"PERSON_FAMILYNAME";"PERSON_GIVENNAME";"PERSON_HONORIFICPREFIX";'
        '"INVOICE_DESCRIPTION";"INVOICE_REFERENCE";"INVOICE_SERIAL"\n'
        '"00123";"van der Berg";"";"";"";"R1";"S1"\n'
        '"A-2";"Öz";"Piet";"dhr.";"";"";""\n')


@pytest.mark.parametrize("fmt", FORMATS)
def test_missing_values_are_empty_cells_in_every_format(tmp_path: Path, fmt: str) -> None:
    path = ai.write(MISSING, tmp_path / "out", format=fmt, client="1001", day="20261122", ledger=tmp_path / "l.db")
    back = ai.read(path)
    assert back.attrs["issues"] == []
    expected = {"IDENTIFICATION_IDENTIFIER": ["00123", "A-2"], "PERSON_FAMILYNAME": ["van der Berg", "Öz"],
                "PERSON_GIVENNAME": ["", "Piet"], "PERSON_HONORIFICPREFIX": ["", "dhr."],
                "INVOICE_DESCRIPTION": ["", ""], "INVOICE_REFERENCE": ["R1", ""], "INVOICE_SERIAL": ["S1", ""]}
    if fmt == "xml":  # empty fields are left out: a column with no value is not there at all
        del expected["INVOICE_DESCRIPTION"]
    assert back.to_dict("list") == expected


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_column_twice_is_named_and_nothing_is_made(tmp_path: Path, fmt: str) -> None:
    frame = pd.concat([FRAME, FRAME[["PERSON_FAMILYNAME"]]], axis=1)
    with pytest.raises(OptionError) as caught:
        ai.write(frame, tmp_path / "out", format=fmt, client="1001", day="20261122", ledger=tmp_path / "l.db")
    assert str(caught.value) == "the frame has the column PERSON_FAMILYNAME twice; keep one"
    assert list(tmp_path.iterdir()) == []
    with Ledger(tmp_path / "l.db") as ledger:
        with Delivery(tmp_path / "out", "1001", fmt, list(FRAME.columns), ledger, "20261122") as delivery:
            with pytest.raises(OptionError, match="^the frame has the column PERSON_FAMILYNAME twice; keep one$"):
                delivery.write(frame)
            assert delivery.reservation is None and list((tmp_path / "out").iterdir()) == []


def test_a_column_that_is_no_field_may_be_there_twice(tmp_path: Path) -> None:
    """It is not delivered, so it does not matter that it is ambiguous."""
    frame = pd.concat([FRAME, pd.DataFrame([["a", "b"], ["c", "d"]], columns=["Opmerking"] * 2, index=FRAME.index)],
                      axis=1)
    path = ai.write(frame, tmp_path / "out", client="1001", day="20261122", ledger=tmp_path / "l.db")
    assert path.read_text(encoding="utf-8") == ('"IDENTIFICATION_IDENTIFIER";"PERSON_FAMILYNAME"\n'
                                                 '"00123";"van der Berg"\n"A-2";"Öz"\n')


def _build_one(args: tuple[str, str, str]) -> str:
    out, ledger, barrier_dir = args
    frame = pd.DataFrame({"IDENTIFICATION_IDENTIFIER": [f"ID-{os.getpid()}-{i}" for i in range(2000)]})
    return ai.write(frame, out, client="1001", day="20261122", ledger=ledger).name


@pytest.mark.parametrize("processes", [2, 8])
def test_concurrent_builds_get_distinct_names_and_complete_files(tmp_path: Path, processes: int) -> None:
    out, ledger = tmp_path / "out", tmp_path / "l.db"
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        names = pool.map(_build_one, [(str(out), str(ledger), str(tmp_path))] * processes)
    assert len(set(names)) == processes
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    for name in names:
        lines = (out / name).read_bytes().split(b"\n")
        assert lines[0] == b'"IDENTIFICATION_IDENTIFIER"' and len(lines) == 2002 and lines[-1] == b""


@pytest.mark.parametrize("name, expected", [
    ("20261122-1001-1.csv", True), ("20261122-1001-12.rejects.csv", True), ("20261122-AB12-3.xlsx", True),
    ("20261122-1001-1.CSV", True),  # a file system may not tell the cases apart
    ("20261122-1001-1.xml", True), ("20261122-1001-1.ods", True),
    ("20261122-1001-1.json", False), ("20261122-1001-1.report.csv", False), ("report.csv", False),
    ("2026112-1001-1.csv", False), (".20261122-1001-1.csv.123.part", False),
])
def test_is_output_name_knows_the_names_a_build_writes(name: str, expected: bool) -> None:
    from alphaimport.deliver import is_output_name

    assert is_output_name(name) is expected
