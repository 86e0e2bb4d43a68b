"""A spool: Python objects kept in a temporary file, in order, and read back one at a time.

A run of millions of records must not hold what it collects for its end (the delivered identifiers for
the ledger, the issues for a report) in memory. Pickle keeps any value as it was, lone surrogates of
hand-built frames included.
"""
from __future__ import annotations

import os
import pickle
import tempfile
from typing import IO, Any, Iterator


class Spool:
    """Objects appended to a temporary file (created on the first add, deleted by close)."""

    def __init__(self) -> None:
        self._file: IO[bytes] | None = None
        self._spans: list[tuple[int, int]] = []  # (offset, length) of each pickle

    def add(self, item: Any) -> None:
        """Append ``item``."""
        if self._file is None:
            self._file = tempfile.TemporaryFile(prefix="alphaimport-")
        self._file.seek(0, os.SEEK_END)
        start = self._file.tell()
        pickle.dump(item, self._file, protocol=pickle.HIGHEST_PROTOCOL)
        self._spans.append((start, self._file.tell() - start))

    def __len__(self) -> int:
        return len(self._spans)

    def items(self) -> Iterator[Any]:
        """The items as they were added."""
        for start, length in self._spans:
            assert self._file is not None
            self._file.seek(start)
            yield pickle.loads(self._file.read(length))  # our own file, written by add()

    def close(self) -> None:
        """Delete the temporary file."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._spans.clear()
