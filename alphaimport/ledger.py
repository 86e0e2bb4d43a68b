"""The delivery ledger (SQLite): file names issued and identifiers delivered, over all history.

A name is reserved in one transaction (so two builds never get the same one), the file is written to a
temporary name and linked into place, and only then is the delivery marked complete with its identifiers.
"""
from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from alphaimport.errors import LedgerError

ENV_VAR = "ALPHAIMPORT_LEDGER"
LOCK_TIMEOUT_S = 60.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    name TEXT PRIMARY KEY,          -- 20261122-1001-3.csv
    day TEXT NOT NULL,              -- 20261122
    client TEXT NOT NULL,
    number INTEGER NOT NULL,
    path TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('reserved', 'complete', 'failed')),
    created TEXT NOT NULL,
    UNIQUE (day, client, number)
);
CREATE TABLE IF NOT EXISTS identifiers (
    identifier TEXT NOT NULL,
    delivery TEXT NOT NULL REFERENCES deliveries(name),
    PRIMARY KEY (identifier, delivery)
) WITHOUT ROWID;  -- the key is the table: half the size, a third faster to fill (ledgers made before: rowid)
"""


def default_path() -> Path:
    """$ALPHAIMPORT_LEDGER, else $XDG_DATA_HOME/alphaimport/ledger.sqlite3 (~/.local/share/...)."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "alphaimport" / "ledger.sqlite3"


@dataclass(frozen=True)
class Reservation:
    """A file name reserved for one delivery."""

    name: str
    day: str
    client: str
    number: int


class Ledger:
    """An open ledger; use as a context manager."""

    def __init__(self, path: Path | str | None = None, timeout: float = LOCK_TIMEOUT_S) -> None:
        self.path = Path(path) if path else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.OperationalError as exc:
            raise LedgerError(_explain(exc, self.path)) from exc
        except sqlite3.DatabaseError as exc:
            raise LedgerError(f"{self.path} is not an alphaimport ledger ({exc})") from exc
        except ValueError as exc:  # a NUL in the path
            raise LedgerError(f"cannot use the ledger {str(self.path)!r}: {exc}") from None

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def reserve(self, day: str, client: str, extension: str, taken: Iterable[str] = ()) -> Reservation:
        """Reserve the next number never issued for (day, client); skip names in ``taken`` (files that exist)."""
        taken_names = set(taken)
        try:
            with self._transaction():
                row = self._db.execute(
                    "SELECT COALESCE(MAX(number), 0) FROM deliveries WHERE day = ? AND client = ?", (day, client)
                ).fetchone()
                number = row[0] + 1
                while f"{day}-{client}-{number}.{extension}" in taken_names:
                    number += 1
                name = f"{day}-{client}-{number}.{extension}"
                self._db.execute(
                    "INSERT INTO deliveries (name, day, client, number, path, status, created) "
                    "VALUES (?, ?, ?, ?, '', 'reserved', ?)",
                    (name, day, client, number, _now()),
                )
        except sqlite3.OperationalError as exc:
            raise LedgerError(_explain(exc, self.path)) from exc
        return Reservation(name, day, client, number)

    def complete(self, reservation: Reservation, path: Path, identifiers: Iterable[str]) -> None:
        """Mark a delivery written at ``path`` and record its identifiers."""
        try:
            with self._transaction():
                self._db.execute(
                    "UPDATE deliveries SET status = 'complete', path = ? WHERE name = ?",
                    (str(path), reservation.name),
                )
                self._db.executemany(
                    "INSERT OR IGNORE INTO identifiers (identifier, delivery) VALUES (?, ?)",
                    ((i, reservation.name) for i in identifiers if i),
                )
        except sqlite3.OperationalError as exc:
            raise LedgerError(_explain(exc, self.path)) from exc

    def fail(self, reservation: Reservation) -> None:
        """Mark a reservation whose file was not written: the name stays issued, never reused."""
        try:
            with self._transaction():
                self._db.execute("UPDATE deliveries SET status = 'failed' WHERE name = ?", (reservation.name,))
        except sqlite3.OperationalError as exc:
            raise LedgerError(_explain(exc, self.path)) from exc

    def delivered_before(self, identifiers: Iterable[str]) -> dict[str, str]:
        """Identifier -> the most recent complete delivery that holds it, for those delivered before."""
        found: dict[str, str] = {}
        wanted = list(dict.fromkeys(i for i in identifiers if i))
        for start in range(0, len(wanted), 500):
            batch = wanted[start:start + 500]
            rows = self._db.execute(
                "SELECT i.identifier, d.name FROM identifiers i JOIN deliveries d ON d.name = i.delivery "
                f"WHERE d.status = 'complete' AND i.identifier IN ({','.join('?' * len(batch))}) "
                "ORDER BY d.created",
                batch,
            )
            found.update(rows.fetchall())
        return found

    def deliveries(self) -> list[tuple[str, str, str]]:
        """(name, status, path) of every delivery, oldest first."""
        return self._db.execute("SELECT name, status, path FROM deliveries ORDER BY created, name").fetchall()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT: takes the write lock up front, so reservations never interleave."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type | None, *exc: object) -> None:
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")


def _explain(exc: sqlite3.Error, path: Path) -> str:
    if "locked" in str(exc):
        return f"the ledger {path} is locked by another build; waited {LOCK_TIMEOUT_S:.0f} s (try again)"
    return f"cannot use the ledger {path}: {exc}"

