"""Check the column-wise phone path against the per-value core on the phone columns of benchmark files.

    python benchmarks/check_phone_fast_path.py                       # every benchmarks/data/*.csv
    python benchmarks/check_phone_fast_path.py benchmarks/data/erp_1000000_s7.csv --limit 200000

For every phone column (a registry field of type phone) of each file, read with ``alphaimport.read``
and the benchmark mapping, the distinct values are normalised twice, by ``phone_fast.normalise_numbers``
(the stage's path) and by ``phone.normalise_number`` value by value, under the plain options and under
an SMS profile (mobile numbers expected). It prints the number of values compared, the number of
differences (value, warnings, error code and message; must be 0), the share the fast path decides
itself, the microseconds per value of both and the speed-up. Exit status 1 when any value differs.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import alphaimport as ai  # noqa: E402
from alphaimport import registry  # noqa: E402
from alphaimport.normalise import phone, phone_fast  # noqa: E402
from alphaimport.normalise.batch import outcome, same  # noqa: E402


def check(values: np.ndarray, region: str, mobile: bool) -> tuple[int, float, float, float]:
    """Return (differences, fast-path share, µs per value fast, µs per value core) for ``values``."""
    start = time.process_time()
    fast = phone_fast.normalise_numbers(values, region, mobile, None)
    fast_time = time.process_time() - start
    start = time.process_time()
    core = [outcome(lambda text: phone.normalise_number(text, region, mobile, None), text) for text in values]
    core_time = time.process_time() - start
    found = fast.outcomes()
    differences = sum(not same(found[at], core[at]) for at in range(len(values)))
    share = float(phone_fast.covered(values, region, mobile, None).mean()) if len(values) else 0.0
    per = 1e6 / max(len(values), 1)
    return differences, share, fast_time * per, core_time * per


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="benchmark CSV files (default: benchmarks/data/*.csv)")
    parser.add_argument("--mapping", type=Path, default=HERE / "erp_bench.yaml")
    parser.add_argument("--limit", type=int, default=0, help="compare at most this many distinct values a column")
    args = parser.parse_args(argv)
    files = args.files or sorted((HERE / "data").glob("*.csv"))
    if not files:
        print("no benchmark files: run benchmarks/generate.py first", file=sys.stderr)
        return 2
    fields = registry.default()
    total = 0
    print(f"{'file':24} {'column':30} {'profile':6} {'values':>9} {'diff':>5} {'fast':>6} "
          f"{'µs fast':>8} {'µs core':>8} {'speed-up':>8}")
    for path in files:
        frame = ai.read(path, mapping=args.mapping)
        region = str(frame.attrs.get("mapping").region if frame.attrs.get("mapping") is not None else "NL")
        for column in frame.columns:
            if column not in fields or fields.field(column).type != "phone":
                continue
            values = frame[column].dropna().unique().astype(object)
            if args.limit:
                values = values[: args.limit]
            for profile, mobile in (("plain", False), ("sms", True)):
                differences, share, fast, core = check(values, region.upper(), mobile)
                total += differences
                print(f"{path.name:24} {column:30} {profile:6} {len(values):9,} {differences:5} {share:6.1%} "
                      f"{fast:8.2f} {core:8.2f} {core / fast if fast else float('nan'):7.1f}x", flush=True)
    print(f"differences: {total}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
