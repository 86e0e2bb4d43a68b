"""The delivery ledger: names never issued twice, identifiers remembered, a lock that fails clearly."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from alphaimport.errors import LedgerError
from alphaimport.ledger import Ledger


def test_numbers_count_up_per_day_and_client(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        names = [ledger.reserve("20261122", "1001", "csv").name for _ in range(3)]
        other = ledger.reserve("20261122", "2002", "csv").name
        next_day = ledger.reserve("20261123", "1001", "xml").name
    assert names == ["20261122-1001-1.csv", "20261122-1001-2.csv", "20261122-1001-3.csv"]
    assert (other, next_day) == ("20261122-2002-1.csv", "20261123-1001-1.xml")


def test_a_failed_name_is_never_reused_and_existing_files_are_skipped(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        first = ledger.reserve("20261122", "1001", "csv")
        ledger.fail(first)
        second = ledger.reserve("20261122", "1001", "csv", taken={"20261122-1001-3.csv"})
        third = ledger.reserve("20261122", "1001", "csv", taken={"20261122-1001-3.csv"})
    assert (second.name, third.name) == ("20261122-1001-2.csv", "20261122-1001-4.csv")


def test_numbers_are_per_day_whatever_the_extension(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        assert ledger.reserve("20261122", "1001", "csv").number == 1
        assert ledger.reserve("20261122", "1001", "xlsx").name == "20261122-1001-2.xlsx"


def test_identifiers_of_complete_deliveries_only(tmp_path: Path) -> None:
    with Ledger(tmp_path / "l.db") as ledger:
        done = ledger.reserve("20261122", "1001", "csv")
        ledger.complete(done, tmp_path / done.name, ["A1", "A2", ""])
        failed = ledger.reserve("20261122", "1001", "csv")
        ledger.fail(failed)
        assert ledger.delivered_before(["A1", "A3", "A2"]) == {"A1": "20261122-1001-1.csv",
                                                              "A2": "20261122-1001-1.csv"}
        later = ledger.reserve("20261123", "1001", "csv")
        ledger.complete(later, tmp_path / later.name, ["A2"])
        assert ledger.delivered_before(["A2"]) == {"A2": "20261123-1001-1.csv"}
        assert [s for _, s, _ in ledger.deliveries()] == ["complete", "failed", "complete"]


def test_a_locked_ledger_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    Ledger(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with Ledger(path, timeout=0.2) as ledger:
            with pytest.raises(LedgerError, match="is locked by another build"):
                ledger.reserve("20261122", "1001", "csv")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_file_that_is_not_a_ledger(tmp_path: Path) -> None:
    path = tmp_path / "l.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(LedgerError, match="is not an alphaimport ledger"):
        Ledger(path)


def _identifiers_table(path: Path) -> str:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT sql FROM sqlite_master WHERE name = 'identifiers'").fetchone()[0]


def test_a_new_ledger_keeps_identifiers_in_their_key_alone(tmp_path: Path) -> None:
    with Ledger(tmp_path / "ledger.sqlite3"):
        pass
    assert _identifiers_table(tmp_path / "ledger.sqlite3").endswith("WITHOUT ROWID")


def test_a_ledger_made_before_with_a_rowid_table_works_as_ever(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE deliveries (name TEXT PRIMARY KEY, day TEXT NOT NULL, client TEXT NOT NULL,
                number INTEGER NOT NULL, path TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('reserved', 'complete', 'failed')), created TEXT NOT NULL,
                UNIQUE (day, client, number));
            CREATE TABLE identifiers (identifier TEXT NOT NULL, delivery TEXT NOT NULL REFERENCES deliveries(name),
                PRIMARY KEY (identifier, delivery));
        """)
    with Ledger(path) as ledger:
        first = ledger.reserve("20261122", "1001", "csv")
        ledger.complete(first, tmp_path / first.name, ["A1", "B2", "A1"])
        assert ledger.delivered_before(["A1", "C3"]) == {"A1": "20261122-1001-1.csv"}
    assert not _identifiers_table(path).endswith("WITHOUT ROWID")
