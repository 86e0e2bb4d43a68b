"""Delivery files: unique names over history, no overwrite, no partial file, concurrent builds."""
from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pandas as pd
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
