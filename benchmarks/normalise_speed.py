"""Microseconds per value of the normalisers, value by value and column-wise, on generated ERP columns.

    python benchmarks/normalise_speed.py                 # 1,000,000 rows, seed 7
    python benchmarks/normalise_speed.py --rows 200000 --stage

The columns come from ``benchmarks/generate.py`` (phone numbers in every notation, e-mail addresses,
amounts, dates). For each, the distinct values are normalised by the per-value function (the core) and
by the stage's batch normaliser (the fast path plus its fallback to the core); the table shows the
distinct values, the share the fast path decides itself, CPU microseconds per distinct value of both, the
speed-up, and whether both gave the same result for every value. ``--stage`` also times the whole
normalise stage on each column with and without the fast paths (CPU seconds), which includes
factorizing and building the issues table.
"""
from __future__ import annotations

import argparse
import functools
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pyarrow as pa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

from alphaimport import normalise as stage  # noqa: E402
from alphaimport import registry  # noqa: E402
from alphaimport.normalise import cents_fast, date_fast, email_fast, phone_fast  # noqa: E402
from alphaimport.normalise.batch import Batch, outcome, per_value, same  # noqa: E402

# (label, ERP column, registry field, options, the fast path's own share)
CASES: list[tuple[str, str, str, stage.Options, Callable[[np.ndarray, stage.Options], np.ndarray]]] = [
    ("phone", "Telefoon", "CONTACT_PHONENUMBER_1", stage.Options(),
     lambda v, o: phone_fast.covered(v, o.region, False, None)),
    ("phone, sms profile", "Telefoon", "CONTACT_PHONENUMBER_1", stage.Options(mobile_expected=True),
     lambda v, o: phone_fast.covered(v, o.region, True, None)),
    ("e-mail", "E-mail", "CONTACT_EMAIL_1", stage.Options(), lambda v, o: email_fast.covered(v)),
    ("amount (euros)", "Bedrag", "INVOICE_AMOUNT", stage.Options(units={"INVOICE_AMOUNT": "euros"}),
     lambda v, o: cents_fast.read_amounts(v).known),
    ("date", "Geboortedatum", "PERSON_BIRTHDAY", stage.Options(), lambda v, o: date_fast.read_dates(v, "DMY")[0]),
]


def columns(rows: int, seed: int) -> dict[str, np.ndarray]:
    """Return the generated ERP columns this benchmark reads, as numpy object arrays."""
    wanted = sorted({case[1] for case in CASES})
    tables = [table.select(wanted) for table in generate.blocks(rows, seed)]
    joined = pa.concat_tables(tables)
    return {name: np.asarray(joined.column(name).to_numpy(), dtype=object) for name in wanted}


def cpu(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


def per_value_stage(monkeypatch: dict[str, Any]) -> None:
    """Make the stage normalise every value one by one (the stage before the fast paths)."""
    monkeypatch["batch_normaliser"] = stage.batch_normaliser
    monkeypatch["read_amounts"] = cents_fast.read_amounts
    stage.batch_normaliser = lambda spec, options: functools.partial(  # type: ignore[assignment]
        per_value, fn=stage.normaliser(spec, options))
    cents_fast.read_amounts = lambda values: cents_fast.Amounts(  # type: ignore[assignment]
        *(np.zeros(len(values), dtype=bool),) * 2, *(np.full(len(values), None),) * 2)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--stage", action="store_true", help="also time the whole stage with and without")
    args = parser.parse_args(argv)
    generated, seconds = cpu(lambda: columns(args.rows, args.seed))
    print(f"generated {args.rows:,} rows in {seconds:.1f} s CPU")
    fields = registry.default()
    print(f"{'kind':20} {'distinct':>9} {'fast':>6} {'µs core':>8} {'µs batch':>9} {'speed-up':>8} {'same':>5}")
    failures = 0
    for label, source, column, options, share in CASES:
        values = pd.unique(generated[source])
        spec = fields.field(column)
        core_fn = stage.normaliser(spec, options)
        core, core_time = cpu(lambda: [outcome(core_fn, text) for text in values])
        batch, batch_time = cpu(lambda: stage.batch_normaliser(spec, options)(values))
        assert isinstance(batch, Batch)
        found = batch.outcomes()
        equal = all(same(found[at], core[at]) for at in range(len(values)))
        failures += not equal
        per = 1e6 / len(values)
        print(f"{label:20} {len(values):9,} {share(values, options).mean():6.1%} {core_time * per:8.2f} "
              f"{batch_time * per:9.2f} {core_time / batch_time:7.1f}x {'yes' if equal else 'NO':>5}", flush=True)
    if args.stage:
        print(f"\n{'stage on one column':20} {'rows':>9} {'s before':>9} {'s after':>8} {'speed-up':>8} {'same':>5}")
        for label, source, column, options, _ in CASES:
            frame = pd.DataFrame({column: generated[source]}, dtype="str")
            after, after_time = cpu(lambda: stage.normalise(frame, options))
            saved: dict[str, Any] = {}
            per_value_stage(saved)
            try:
                before, before_time = cpu(lambda: stage.normalise(frame, options))
            finally:
                stage.batch_normaliser = saved["batch_normaliser"]
                cents_fast.read_amounts = saved["read_amounts"]
            equal = after[0].equals(before[0]) and after[1].equals(before[1])
            failures += not equal
            print(f"{label:20} {len(frame):9,} {before_time:9.2f} {after_time:8.2f} "
                  f"{before_time / after_time:7.1f}x {'yes' if equal else 'NO':>5}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
