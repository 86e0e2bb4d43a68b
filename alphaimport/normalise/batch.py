"""Normalising an array of values at once: the :class:`Batch` a fast path fills, and its per-value fallback.

A fast path (``phone_fast``, ``email_fast``, ``cents_fast``) handles the common shapes column-wise and
hands every other value to the per-value normaliser, so a batch says for each value exactly what the
per-value function says: the same text, the same warnings, the same error code and message.
Warnings are kept as columns (position, code, message), not as a tuple per value, so a million
warnings cost arrays rather than a million Python objects.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from alphaimport.normalise.base import Invalid, Normalised, Normaliser

BatchNormaliser = Callable[[np.ndarray], "Batch"]


@dataclass
class Batch:
    """What each of an array of values became, by position: text (None where invalid or untouched), errors, warnings."""

    values: np.ndarray  # object
    errors: dict[int, tuple[str, str]] = field(default_factory=dict)  # position -> (code, message)
    _chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = field(default_factory=list)
    _pending: list[tuple[int, str, str]] = field(default_factory=list)

    @classmethod
    def empty(cls, size: int) -> Batch:
        """Return a batch of ``size`` values, none normalised yet."""
        return cls(np.full(size, None, dtype=object))

    def warn(self, positions: np.ndarray, code: str, messages: np.ndarray) -> None:
        """Add the warning ``code`` to the values at ``positions`` (after the warnings they already have)."""
        positions = np.asarray(positions, dtype=np.int64)
        self._chunks.append((positions, np.full(len(positions), code, dtype=object),
                             np.asarray(messages, dtype=object)))

    def record(self, at: int, text: str, fn: Normaliser) -> None:
        """Normalise ``text`` (the value at ``at``) with the per-value ``fn`` and keep what it says."""
        try:
            result = fn(text)
        except Invalid as exc:
            self.errors[at] = (exc.code, exc.message)
            return
        self.values[at] = result.value
        self._pending.extend((at, code, message) for code, message in result.warnings)

    def warnings(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Return (position, sequence from 1, code, message) of every warning, by position then sequence."""
        chunks = list(self._chunks)
        if self._pending:
            pending_at, pending_codes, pending_messages = zip(*self._pending)
            chunks.append((np.asarray(pending_at, dtype=np.int64), np.asarray(pending_codes, dtype=object),
                           np.asarray(pending_messages, dtype=object)))
        if not chunks:
            empty = np.zeros(0, dtype=object)
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), empty, empty
        at = np.concatenate([c[0] for c in chunks])
        order = np.argsort(at, kind="stable")  # a value's warnings keep the order they were added in
        at = at[order]
        first = np.flatnonzero(np.r_[True, at[1:] != at[:-1]])
        seq = np.arange(len(at)) - np.repeat(first, np.diff(np.r_[first, len(at)])) + 1
        return (at, seq, np.concatenate([c[1] for c in chunks])[order],
                np.concatenate([c[2] for c in chunks])[order])

    def outcome(self, at: int) -> Normalised | Invalid:
        """Return what the value at ``at`` became, as the per-value function gives (or raises) it."""
        if at in self.errors:
            return Invalid(*self.errors[at])
        positions, _, codes, messages = self.warnings()
        found = positions == at
        return Normalised(self.values[at], tuple(zip(codes[found].tolist(), messages[found].tolist())))

    def outcomes(self) -> list[Normalised | Invalid]:
        """Return :meth:`outcome` of every position (for tests: one pass over the warnings)."""
        positions, _, codes, messages = self.warnings()
        warned: dict[int, list[tuple[str, str]]] = {}
        for at, code, message in zip(positions.tolist(), codes.tolist(), messages.tolist()):
            warned.setdefault(at, []).append((code, message))
        return [Invalid(*self.errors[at]) if at in self.errors
                else Normalised(self.values[at], tuple(warned.get(at, ()))) for at in range(len(self.values))]


def per_value(values: np.ndarray, fn: Normaliser, positions: Iterable[int] | None = None,
              batch: Batch | None = None) -> Batch:
    """Return ``batch`` (or a new one) with the values at ``positions`` (default all) normalised one by one."""
    batch = Batch.empty(len(values)) if batch is None else batch
    for at in range(len(values)) if positions is None else positions:
        batch.record(int(at), values[at], fn)
    return batch


def outcome(fn: Normaliser, text: str) -> Normalised | Invalid:
    """Return what ``fn`` gives for ``text``, or the Invalid it raises."""
    try:
        return fn(text)
    except Invalid as exc:
        return exc


def differences(values: Sequence[str], batch: BatchNormaliser, fn: Normaliser
                ) -> list[tuple[str, Normalised | Invalid, Normalised | Invalid]]:
    """(value, the batch's outcome, ``fn``'s outcome) for every value where a fast path and its per-value
    function disagree: empty when they agree on all ``values``."""
    fast = batch(np.array(values, dtype=object)).outcomes()
    return [(value, fast[i], slow) for i, value in enumerate(values) if not same(fast[i], slow := outcome(fn, value))]


def same(left: Normalised | Invalid, right: Normalised | Invalid) -> bool:
    """Return whether two outcomes are identical: value and warnings, or error code and message."""
    if isinstance(left, Invalid) or isinstance(right, Invalid):
        return (isinstance(left, Invalid) and isinstance(right, Invalid)
                and (left.code, left.message) == (right.code, right.message))
    return left == right
