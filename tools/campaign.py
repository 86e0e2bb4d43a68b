"""The long hostile campaign: thousands of fuzzed builds, hundreds of killed ones, races; one table.

    python tools/campaign.py --cases 2000 --kills 500            # the issue's numbers
    python tools/campaign.py --cases 200 --kills 40 --races 4    # a quick look
    python tools/campaign.py --seed 7 --only 1234                # re-run one fuzz case, verbosely

Fuzz cases are the tests/hostile kinds (every fixture as it is, cut short, bit-flipped, a part mutated inside
an intact zip, random bytes, nasty unicode, random header rows, forced encodings) under every extension,
built through ``alphaimport.cli.main`` in worker processes (a time limit per case; a worker stuck in C code
is ended and its case counted as a hang), one in ``--subprocess-every`` through ``python -m alphaimport``.
Each is judged by tests/hostile/harness.judge. Kills are SIGKILLs at random moments and at each named step
of delivering, in series sharing a folder and a ledger, checked after every kill; races are 8 builds
released together into one folder. The table counts, per input format and per fault, the cases tried and
each kind of failure; the exit status is 1 when any failure count is not 0. Failed fuzz cases are kept
(input and command) under --keep.
"""
from __future__ import annotations

import argparse
import collections
import concurrent.futures
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from hostile import cases as hc  # noqa: E402
from hostile import harness as hh  # noqa: E402
from hostile import processes as hp  # noqa: E402

COLUMNS = ("cases", "tracebacks", "hangs", "partial files", "duplicate names", "ledger errors", "leaked bytes")
FAILURES = COLUMNS[1:]
# kinds in the order cases cycle through them; fixtures as they are, cut and flipped come up most
CYCLE = ("fixture", "truncated", "bitflip", "truncated", "bitflip", "zip-part", "random-bytes", "unicode",
         "random-header", "encoding")


def case_plan(seed: int, number: int) -> tuple[hc.Case, random.Random]:
    """Fuzz case ``number`` of a campaign: the same bytes and choices for the same seed and number."""
    rnd = random.Random(f"{seed}:{number}")
    kind = CYCLE[number % len(CYCLE)]
    ext = hh.EXTENSIONS[(number // len(CYCLE)) % len(hh.EXTENSIONS)]
    fixture = hh.ALL_FIXTURES[(number // (len(CYCLE) * len(hh.EXTENSIONS))) % len(hh.ALL_FIXTURES)]
    return hc.make_case(kind, rnd, ext, fixture), rnd


# -- worker: runs a range of fuzz cases in one process ---------------------------------------------------------

def worker(args: argparse.Namespace) -> int:
    scratch, keep = Path(args.scratch), Path(args.keep)
    with open(args.report, "a", encoding="utf-8") as report:
        for number in range(args.start, args.stop):
            case, rnd = case_plan(args.seed, number)
            report.write(json.dumps({"begin": number}) + "\n")
            report.flush()
            folder = scratch / f"case{number}"
            through_process = args.subprocess_every > 0 and number % args.subprocess_every == 0
            run, verdict = hc.run_case(case, folder, scratch / f"ledger{args.start}.db", rnd, timeout=args.timeout,
                                       subprocess_run=through_process)
            result = {"case": number, "ext": case.ext, "kind": case.kind, "origin": case.origin, "code": run.code,
                      "seconds": round(run.seconds, 3), "process": through_process,
                      **{k: getattr(verdict, k) for k in ("traceback", "hang", "partial", "leak")}}
            if not verdict.ok:
                kept = keep / f"case{number}"
                kept.mkdir(parents=True, exist_ok=True)
                (kept / f"input{case.ext}").write_bytes(case.data)
                (kept / "result.json").write_text(json.dumps({**result, "options": case.options, "stderr": run.err,
                                                              "stdout": run.out[-4000:]}, indent=1))
            report.write(json.dumps(result) + "\n")
            report.flush()
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def run_fuzz(args: argparse.Namespace, scratch: Path, table: dict, kinds: dict) -> None:
    """All fuzz cases, ``args.workers`` worker processes at a time, chunk by chunk."""
    chunk = 50
    pending = collections.deque((start, min(start + chunk, args.cases)) for start in range(0, args.cases, chunk))
    running: dict[subprocess.Popen, tuple[int, int, Path]] = {}
    done_cases = 0
    started = shown = time.monotonic()
    while pending or running:
        while pending and len(running) < args.workers:
            start, stop = pending.popleft()
            report = scratch / f"fuzz-{start}-{stop}.jsonl"
            command = [sys.executable, __file__, "--worker", "--seed", str(args.seed), "--start", str(start),
                       "--stop", str(stop), "--report", str(report), "--scratch", str(scratch / "work"),
                       "--keep", str(args.keep), "--timeout", str(args.timeout),
                       "--subprocess-every", str(args.subprocess_every)]
            with open(scratch / f"fuzz-{start}-{stop}.stderr", "wb") as errors:  # a file: a pipe could fill up
                running[subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors,
                                         env=hh.clean_env())] = (start, stop, report)
        time.sleep(0.2)
        for process in [p for p in running if p.poll() is not None]:
            start, stop, report = running.pop(process)
            err = (scratch / f"fuzz-{start}-{stop}.stderr").read_text(encoding="utf-8", errors="replace")
            lines = [json.loads(line) for line in report.read_text().splitlines()] if report.exists() else []
            results = [line for line in lines if "case" in line]
            for result in results:
                add_fuzz(table, kinds, result)
            done_cases += len(results)
            begun = [line["begin"] for line in lines if "begin" in line]
            finished = {r["case"] for r in results}
            lost = [n for n in begun if n not in finished]
            if process.returncode != 0 or lost:  # the worker died inside a case: that case hung or crashed
                number = lost[0] if lost else (max(finished) + 1 if finished else start)
                case, _ = case_plan(args.seed, number)
                timed_out = "Timeout" in err
                result = {"case": number, "ext": case.ext, "kind": case.kind, "origin": case.origin,
                          "code": process.returncode, "traceback": [] if timed_out else [f"worker died: {err[-300:]}"],
                          "hang": [f"worker ended after {args.timeout * 4} s"] if timed_out else [],
                          "partial": [], "leak": []}
                add_fuzz(table, kinds, result)
                keep = Path(args.keep) / f"case{number}"
                keep.mkdir(parents=True, exist_ok=True)
                (keep / f"input{case.ext}").write_bytes(case.data)
                (keep / "worker-stderr.txt").write_text(err)
                print(f"  case {number}: worker died ({process.returncode}); kept in {keep}", flush=True)
                done_cases += 1
                if number + 1 < stop:
                    pending.appendleft((number + 1, stop))
            for result in results:
                if any(result[k] for k in ("traceback", "hang", "partial", "leak")):
                    print(f"  case {result['case']} {result['kind']} {result['origin']} as {result['ext']}: "
                          f"{ {k: result[k] for k in ('traceback', 'hang', 'partial', 'leak') if result[k]} }",
                          flush=True)
        if time.monotonic() - shown > 30 or not (running or pending):
            shown = time.monotonic()
            rate = done_cases / max(shown - started, 1e-9)
            print(f"  fuzz {done_cases}/{args.cases} ({rate:.1f} cases/s)", flush=True)


def add_fuzz(table: dict, kinds: dict, result: dict) -> None:
    for row in (table[result["ext"]], kinds[result["kind"]]):
        row["cases"] += 1
        row["tracebacks"] += bool(result["traceback"])
        row["hangs"] += bool(result["hang"])
        row["partial files"] += bool(result["partial"])
        row["leaked bytes"] += bool(result["leak"])


# -- kills and races ------------------------------------------------------------------------------------------

def run_kills(args: argparse.Namespace, scratch: Path, table: dict) -> None:
    """``args.kills`` SIGKILLs in series of 50 sharing a folder and a ledger, two zygotes at a time."""
    source = scratch / "kill-input.csv"
    hc.write_kill_input(source, rows=args.kill_rows, seed=args.seed)
    with hp.Zygote(scratch / "zygote-cal") as zygote:
        full = zygote.build(hh.build_argv(source, scratch / "calibration", scratch / "calibration.db"), delay=600)
    counts, seconds = hh.summary_counts(full.out), full.seconds
    print(f"  kill input: {args.kill_rows} records, a full build {seconds:.2f} s, {counts}")
    series = [list(range(start, min(start + 50, args.kills))) for start in range(0, args.kills, 50)]
    hit: collections.Counter = collections.Counter()  # kills that found the build still running

    def one_series(numbers: list[int]) -> list[tuple[str, dict]]:
        out, ledger = scratch / f"kills{numbers[0]}" / "out", scratch / f"kills{numbers[0]}" / "ledger.db"
        rnd = random.Random(f"kills:{args.seed}:{numbers[0]}")
        rows = []
        with hp.Zygote(scratch / f"zygote{numbers[0]}") as zygote:
            for number in numbers:
                # one kill in five at a named step of delivering, the others at a random moment
                point = hp.KILL_POINTS[(number // 5) % len(hp.KILL_POINTS)] if number % 5 == 4 else "random"
                fmt = hh.OUTPUT_FORMATS[number % 4]
                delay = rnd.uniform(0.0, seconds * 1.15)
                result = zygote.build(hh.build_argv(source, out, ledger, fmt), point, delay)
                rows.append((f"kill: {point}", judge_kill(result, out, ledger, counts, parts_allowed=True)))
                hit[point] += result.killed
            after = zygote.build(hh.build_argv(source, out, ledger, "csv"), delay=600)
            rows.append(("kill: build after kills", judge_kill(after, out, ledger, counts, parts_allowed=False)))
        shutil.rmtree(out.parent, ignore_errors=True)
        return rows

    done = 0
    with concurrent.futures.ThreadPoolExecutor(args.workers) as pool:
        for rows in pool.map(one_series, series):
            for name, counted in rows:
                add(table[name], counted)
            done += len(rows)
            print(f"  kills {done}/{args.kills + len(series)}", flush=True)
    print(f"  SIGKILLs that hit a running build: {dict(hit)} (the rest found it finished)", flush=True)


def judge_kill(result: hp.Killed, out: Path, ledger: Path, counts: dict, parts_allowed: bool) -> dict:
    problems = hp.check_folder_and_ledger(out, ledger, counts, parts_allowed=parts_allowed)
    run = hh.Run(result.code, result.out, result.err, result.seconds)
    tracebacks = result.code not in (0, 1, 2, -9) or "Traceback" in result.err or "internal error" in result.err
    leaked = any(s in result.out or s in result.err for s in hh.PASSWD)
    if not result.killed:
        verdict = hh.judge(run, out)
        tracebacks = tracebacks or bool(verdict.traceback)
    found = {"cases": 1, "tracebacks": int(tracebacks), "hangs": 0, "partial files": int(bool(problems["partial"])),
             "duplicate names": int(bool(problems["duplicate"])), "ledger errors": int(bool(problems["ledger"])),
             "leaked bytes": int(leaked)}
    if any(found[k] for k in FAILURES):
        print(f"\n  {result.point} kill after {result.delay:.2f} s (exit {result.code}): {problems} {result.err[-300:]}")
    return found


def run_races(args: argparse.Namespace, scratch: Path, table: dict) -> None:
    """``args.races`` rounds of 8 builds released together into one folder with one ledger."""
    source = scratch / "race-input.csv"
    hc.write_kill_input(source, rows=300, seed=args.seed + 1)
    with hp.Zygote(scratch / "zygote-race") as zygote:
        for number in range(args.races):
            out, ledger = scratch / f"race{number}" / "out", scratch / f"race{number}" / "ledger.db"
            fmt = hh.OUTPUT_FORMATS[number % 4]
            runs = zygote.race([hh.build_argv(source, out, ledger, fmt) for _ in range(8)])
            counts = hh.summary_counts(runs[0].out)
            problems = hp.check_folder_and_ledger(out, ledger, counts, parts_allowed=False)
            names = [p.name for p in out.iterdir() if not p.name.endswith(".rejects.csv")] if out.is_dir() else []
            verdicts = [hh.judge(run, out) for run in runs]
            found = {"cases": 8, "tracebacks": sum(bool(v.traceback) or r.code != 1 for v, r in zip(verdicts, runs)),
                     "hangs": 0, "partial files": int(bool(problems["partial"])),
                     "duplicate names": int(bool(problems["duplicate"]) or len(set(names)) != 8),
                     "ledger errors": int(bool(problems["ledger"])),
                     "leaked bytes": sum(bool(v.leak) for v in verdicts)}
            add(table[f"race: 8 builds, {fmt}"], found)
            if any(found[k] for k in FAILURES):
                print(f"  race {number}: {problems} names {sorted(names)} {[r.err for r in runs if r.err]}")
            shutil.rmtree(out.parent, ignore_errors=True)
    print(f"  races {args.races}/{args.races}", flush=True)


def add(row: dict, found: dict) -> None:
    for key, value in found.items():
        row[key] += value


# -- the table --------------------------------------------------------------------------------------------------

def render(sections: list[tuple[str, dict]]) -> str:
    width = max(len(name) for _, rows in sections for name in rows) + 2
    head = f"{'format / fault':<{width}}" + "".join(f"{c:>16}" for c in COLUMNS)
    lines = [head, "-" * len(head)]
    total = collections.Counter()
    for title, rows in sections:
        lines.append(title)
        for name, row in rows.items():
            lines.append(f"  {name:<{width - 2}}" + "".join(f"{row[c]:>16,}" for c in COLUMNS))
            if title != "by kind":  # kinds repeat the formats' cases
                total.update(row)
    lines.append("-" * len(head))
    lines.append(f"{'total':<{width}}" + "".join(f"{total[c]:>16,}" for c in COLUMNS))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=2000, help="fuzz cases (default 2000)")
    parser.add_argument("--kills", type=int, default=500, help="SIGKILLed builds (default 500)")
    parser.add_argument("--races", type=int, default=None, help="rounds of 8 concurrent builds (default kills/25)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds one fuzz case may take")
    parser.add_argument("--subprocess-every", type=int, default=25, help="every Nth case through python -m")
    parser.add_argument("--kill-rows", type=int, default=1500, help="records in the input the killed builds read")
    parser.add_argument("--keep", default=str(Path(tempfile.gettempdir()) / "alphaimport-campaign-failures"),
                        help="where failed cases are kept (input and result)")
    parser.add_argument("--only", type=int, help="run one fuzz case verbosely")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--stop", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--report", help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.only is not None:
        case, rnd = case_plan(args.seed, args.only)
        with tempfile.TemporaryDirectory() as folder:
            run, verdict = hc.run_case(case, Path(folder) / "case", Path(folder) / "l.db", rnd, timeout=args.timeout)
        print(f"case {args.only}: {case.kind} of {case.origin or 'generated bytes'} as {case.ext} {case.options}")
        print(f"exit {run.code} in {run.seconds:.2f} s\nstderr: {run.err}stdout: {run.out}")
        print("ok" if verdict.ok else verdict.explain())
        return 0 if verdict.ok else 1
    races = args.races if args.races is not None else max(1, args.kills // 25)
    start = time.monotonic()
    fuzz_rows = {ext: collections.Counter({c: 0 for c in COLUMNS}) for ext in hh.EXTENSIONS}
    kind_rows = {kind: collections.Counter({c: 0 for c in COLUMNS}) for kind in dict.fromkeys(CYCLE)}
    fault_rows: dict = collections.defaultdict(lambda: collections.Counter({c: 0 for c in COLUMNS}))
    with tempfile.TemporaryDirectory(prefix="alphaimport-campaign-") as folder:
        scratch = Path(folder)
        print(f"campaign seed {args.seed}: {args.cases} fuzz cases, {args.kills} kills, {races} races, "
              f"{args.workers} workers")
        if args.cases:
            run_fuzz(args, scratch, fuzz_rows, kind_rows)
            print(render([("fuzzed builds, by input format", fuzz_rows), ("by kind", kind_rows)]), flush=True)
        if args.kills:
            run_kills(args, scratch, fault_rows)
        if races:
            run_races(args, scratch, fault_rows)
    sections = [("fuzzed builds, by input format", fuzz_rows), ("by kind", kind_rows),
                ("faults", dict(sorted(fault_rows.items())))]
    print()
    print(render(sections))
    failures = sum(row[c] for _, rows in sections[::2] for row in rows.values() for c in FAILURES)
    print(f"\n{time.monotonic() - start:.0f} s; " + ("no failures" if not failures else
                                                      f"{failures} FAILURES (kept in {args.keep})"))
    print(f"reproduce: python tools/campaign.py --cases {args.cases} --kills {args.kills} --races {races} "
          f"--seed {args.seed}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
