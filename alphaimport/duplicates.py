"""Identifiers shared by records anywhere in an input of millions of records, found from hashes.

The pipeline reads its input in chunks; a record's duplicate may lie in another chunk. A first pass
hashes the values of the unique fields into a compact table (never the values themselves), and each
chunk is then told which of its values other records hold too.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


class Repeats:
    """The values of the unique fields that several records hold, anywhere in a multi-chunk input.

    The first pass keeps an 88-bit hash, the column and the row of every value in one table of 16 bytes
    a record (whatever the values' length), never the values: a file of millions of records does not
    hold millions of strings. The rows whose hashes repeat, a few, are grouped; each chunk then gets
    {value: every row holding it}.
    """

    _KEYS = ("0123456789123456", "alphaimport.dup2")  # two siphash keys: independent hashes

    def __init__(self, columns: list[str], groups: list[list[int]], member: list[dict[int, int]]) -> None:
        self._columns = columns
        self._groups = groups  # group -> every row holding its value (in any of the columns)
        self._member = member  # per column: row -> group

    @classmethod
    def scan(cls, chunks: Iterable[pd.DataFrame], columns: list[str]) -> Repeats:
        table = HashTable()
        for chunk in chunks:
            for at, column in enumerate(columns):
                if column in chunk:
                    values = chunk[column].to_numpy(dtype=object)
                    present = values != ""
                    text = values[present]
                    table.append(hash_values(text, cls._KEYS[0]), at, hash_values(text, cls._KEYS[1]),
                                 chunk.index.to_numpy()[present])
        member: list[dict[int, int]] = [{} for _ in columns]
        hashes, column, check, row = table.records(table.repeated())
        candidates = pd.DataFrame({"hash": hashes, "check": check, "column": column, "row": row})
        groups: list[list[int]] = []
        for _, group in candidates.groupby(["hash", "check"], sort=False):  # the whole 88 bits
            if len(group) > 1:
                for at, line in zip(group["column"].tolist(), group["row"].tolist()):
                    member[at][line] = len(groups)
                groups.append(group["row"].tolist())
        return cls(columns, groups, member)

    def within(self, chunk: pd.DataFrame) -> dict[str, list[int]]:
        """{value: every row holding it} for the values of ``chunk`` that other records hold too."""
        found: dict[str, list[int]] = {}
        for at, column in enumerate(self._columns):
            if column in chunk and self._member[at]:
                values = chunk[column]
                for row, value in values[values.index.isin(list(self._member[at]))].items():
                    found.setdefault(value, self._groups[self._member[at][row]])
        return found


class HashTable:
    """(hash, column << 56 | check << 32 | row) per value, in blocks of 32 MB: blocks this large are mapped
    from the system and given back when freed (thousands of small arrays would leave the heap fragmented,
    resident for the rest of the run), and a new block is added without copying the others."""

    _BLOCK = 1 << 21  # records: 32 MB, resident only as it fills

    def __init__(self) -> None:
        self._blocks: list[np.ndarray] = []
        self.size = 0
        self._repeated: np.ndarray | None = None

    def append(self, hashes: np.ndarray, column: int, checks: np.ndarray, rows: np.ndarray) -> None:
        if len(rows) and (rows.dtype.kind not in "iu" or rows.min() < 0 or rows.max() >= 1 << 32):
            raise ValueError("row numbers must be whole numbers below 2**32")
        packed = ((np.uint64(column) << np.uint64(56)) | ((checks & np.uint64(0xFFFFFF)) << np.uint64(32))
                  | rows.astype(np.uint64))
        done = 0
        while done < len(hashes):
            used = self.size % self._BLOCK
            if used == 0 and self.size == len(self._blocks) * self._BLOCK:
                self._blocks.append(np.empty((self._BLOCK, 2), dtype=np.uint64))
            take = min(len(hashes) - done, self._BLOCK - used)
            self._blocks[-1][used:used + take, 0] = hashes[done:done + take]
            self._blocks[-1][used:used + take, 1] = packed[done:done + take]
            done, self.size = done + take, self.size + take

    def _hashes(self) -> list[np.ndarray]:
        return [b[:min(self._BLOCK, self.size - i * self._BLOCK), 0] for i, b in enumerate(self._blocks)]

    def repeated(self) -> np.ndarray:
        """The positions whose first hash is that of another value too (a few)."""
        if self._repeated is None:
            blocks = self._hashes()
            tops = [(h >> np.uint64(60)).astype(np.uint8) for h in blocks]
            found = []
            for bucket in range(16):  # by the top four bits: a 16th of the hashes sorted at a time
                at = np.concatenate([np.flatnonzero(t == bucket) + i * self._BLOCK for i, t in enumerate(tops)])
                values = np.concatenate([h[t == bucket] for h, t in zip(blocks, tops)])
                order = np.argsort(values)
                same = values[order[1:]] == values[order[:-1]]
                found += [at[order[1:][same]], at[order[:-1][same]]]
            self._repeated = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
        return self._repeated

    def records(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(hash, column, check, row) of the records at positions ``at``."""
        both = np.array([self._blocks[p // self._BLOCK][p % self._BLOCK] for p in at.tolist()],
                        dtype=np.uint64).reshape(-1, 2)
        hashes, packed = both[:, 0], both[:, 1]
        column = (packed >> np.uint64(56)).astype(np.int64)
        check = (packed >> np.uint64(32)) & np.uint64(0xFFFFFF)
        return hashes, column, check, (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)


def hash_values(text: np.ndarray, key: str) -> np.ndarray:
    try:
        return pd.util.hash_array(text, hash_key=key, categorize=False)
    except UnicodeEncodeError:  # a lone surrogate (a hand-built frame): hash its bytes as written
        text = np.array([v.encode("utf-8", "surrogatepass").decode("latin-1") for v in text], dtype=object)
        return pd.util.hash_array(text, hash_key=key, categorize=False)
