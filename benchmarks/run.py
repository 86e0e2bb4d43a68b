"""The benchmark: one run, one generated file, every step in its own process; seconds, ratios, peak RSS.

    python benchmarks/run.py --rows 1000000            # the table and the goals (generates the data)
    python benchmarks/run.py --memory-check 5000000     # peak memory of build at --rows and at 5,000,000
    python benchmarks/run.py --profile 100000           # where build's time goes, stage by stage

Steps (the file of ``--rows``, and its first ``--small-rows`` rows, which are the same rows):

- ``I/O floor``: pyarrow reads the file as text and writes it back fully quoted with ``;`` -- the least
  any CSV -> CSV conversion costs; ``x floor`` divides by it (at the same number of rows);
- ``build csv`` (``--media sms --services paylink``), ``validate``, at ``--rows`` and ``--small-rows``;
- ``frictionless``: the same rows against the equivalent Table Schema (benchmarks/frictionless_schema.py);
- ``build xml`` / ``xlsx`` / ``ods`` at ``--small-rows``.

Seconds are the wall time of the whole process (interpreter start and imports included, as a user
waits for them; the ``startup`` row shows how much that is). Peak RSS is the kernel's high-water mark
of that process (``wait4``'s ``ru_maxrss``); the kernel counts the parent's RSS at the time of the
start in it, so this process stays small (standard library only, the data made by a child). A build
that judges chunks in worker processes (``--workers``) is several processes: their memory together is
sampled five times a second as the sum of their PSS (shared pages divided among the processes that
share them, from ``/proc/PID/smaps_rollup``), and ``peak MB`` is the larger of the two figures. Other
work on the machine makes seconds noisy: compare the ratios of one run (``--repeat 3`` keeps the
fastest of three), not seconds across runs.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
MAPPING = HERE / "erp_bench.yaml"
PROFILE = ("--media", "sms", "--services", "paylink")
GOAL_BUILD_X_FLOOR = 5.0
GOAL_FRICTIONLESS_X = 10.0
GOAL_PEAK_MB = 500.0
GOAL_SPREADSHEET_S = 15.0

sys.path.insert(0, str(HERE))


@dataclass
class Step:
    name: str
    rows: int
    argv: list[str]
    seconds: float = 0.0
    peak_mb: float = 0.0  # max(largest process's ru_maxrss, sampled PSS of all its processes)
    tree_mb: float = 0.0  # the sampled PSS of the process and its children
    status: int = 0
    note: str = ""
    floor: float | None = None
    extra: dict = field(default_factory=dict)
    clean: Path | None = None  # emptied before each run: a fresh ledger and output folder


def data_file(rows: int, seed: int) -> Path:
    """The generated dump of ``rows`` rows for ``seed`` (made when missing, in a child process: a child's
    peak RSS as the kernel reports it is at least its parent's RSS when it was started)."""
    path = DATA / f"erp_{rows}_s{seed}.csv"
    if not path.exists():
        print(f"generating {path.relative_to(HERE.parent)} ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, str(HERE / "generate.py"), "--rows", str(rows), "--seed", str(seed),
                        "--out", str(path)], check=True, stdout=sys.stderr)
    return path


def measure(step: Step, work: Path, timeout: float) -> Step:
    """Run the step's process; its wall time, its peak RSS (wait4), its exit status and output."""
    log = work / f"{re.sub(r'[^a-z]+', '_', step.name.lower())}_{step.rows}.log"
    if step.clean is not None:
        shutil.rmtree(step.clean, ignore_errors=True)
        step.clean.mkdir(parents=True)
    with open(log, "wb") as out:
        started = time.perf_counter()
        process = subprocess.Popen(step.argv, stdout=out, stderr=subprocess.STDOUT, cwd=work, env=_env())
        deadline = started + timeout
        polls, step.tree_mb = 0, 0.0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            polls += 1
            if polls % 10 == 0:
                step.tree_mb = max(step.tree_mb, tree_pss_kb(process.pid) / 1024)
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                step.note = f"killed after {timeout:.0f} s"
                break
            time.sleep(0.02)
        step.seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    step.status = process.returncode
    step.peak_mb = max(usage.ru_maxrss / 1024, step.tree_mb)  # KiB on Linux
    text = log.read_text(encoding="utf-8", errors="replace")
    step.extra = _facts(text)
    if step.status not in (0, 1) and not step.note:
        step.note = f"FAILED (exit {step.status}): " + " ".join(text.strip().splitlines()[-1:])[:120]
    return step


def _env() -> dict[str, str]:
    """The environment of a step: this repository's alphaimport first, however (or whether) it is installed."""
    path = os.pathsep.join(p for p in (str(HERE.parent), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}


def _facts(text: str) -> dict:
    """What the step said about itself: records accepted/rejected, rows/errors, files written."""
    facts: dict = {}
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 2 and words[0] in ("accepted", "rejected", "warnings") and words[1].isdigit():
            facts[words[0]] = int(words[1])
        elif line.startswith("wrote ") and ".rejects." not in line:
            facts["output"] = words[-1]
        elif line.startswith("{"):
            facts.update(json.loads(line))
    return facts


def tree_pss_kb(pid: int) -> int:
    """The PSS (KiB) of process ``pid`` and all its descendants, now; 0 for what has gone."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            for task in os.listdir(f"/proc/{current}/task"):
                todo += [int(c) for c in Path(f"/proc/{current}/task/{task}/children").read_text().split()]
        except OSError:
            continue
        found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        total += int(found.group(1)) if found else 0
    return total


def alphaimport_step(name: str, rows: int, command: str, path: Path, out: Path, *extra: str) -> Step:
    """A step running ``alphaimport COMMAND`` with its own output folder and ledger."""
    return Step(name, rows, _alphaimport(command, path, out, *extra), clean=out)


def _alphaimport(command: str, path: Path, out: Path, *extra: str) -> list[str]:
    argv = [sys.executable, "-m", "alphaimport", command, str(path), "--mapping", str(MAPPING), *PROFILE,
            "--ledger", str(out / "ledger.sqlite3"), "--quiet"]
    if command == "build":
        argv += ["--client", "1001", "--date", "20270101", "--out-dir", str(out), *extra]
    return argv


def _child(kind: str, *args: object) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", kind, *map(str, args)]


def plan(big: Path, small: Path, rows: int, small_rows: int, work: Path, only: set[str] | None) -> list[Step]:
    steps = [Step("startup", 0, [sys.executable, "-c", "import alphaimport.cli, alphaimport.pipeline, "
                                 "alphaimport.schema, alphaimport.formats.csv"])]
    sizes = [(rows, big, "big")] + ([(small_rows, small, "small")] if small_rows and small_rows < rows else [])
    for n, path, label in sizes:
        steps += [
            Step("I/O floor", n, _child("floor", path, work / f"floor_{label}.csv")),
            alphaimport_step("build csv", n, "build", path, work / f"build_{label}", "--format", "csv"),
            alphaimport_step("build csv -w2", n, "build", path, work / f"build2_{label}", "--format", "csv",
                             "--workers", "2"),
            Step("validate", n, _child("timed", *_alphaimport("validate", path, work / f"validate_{label}")[3:]),
                 clean=work / f"validate_{label}"),
        ]
    steps.append(Step("frictionless", small_rows, _child("frictionless", small)))
    steps += [alphaimport_step(f"build {fmt}", small_rows, "build", small, work / f"build_{fmt}", "--format", fmt)
              for fmt in ("xml", "xlsx", "ods")]
    if only:
        steps = [s for s in steps if s.name in only or s.name.split()[0] in only or s.name == "I/O floor"]
    return steps


def memory_plan(big: Path, huge: Path, rows: int, huge_rows: int, work: Path) -> list[Step]:
    return [Step("I/O floor", rows, _child("floor", big, work / "floor_big.csv")),
            alphaimport_step("build csv", rows, "build", big, work / "a", "--format", "csv"),
            Step("I/O floor", huge_rows, _child("floor", huge, work / "floor_huge.csv")),
            alphaimport_step("build csv", huge_rows, "build", huge, work / "b", "--format", "csv")]


def memory_verdict(steps: Sequence[Step]) -> str:
    a, b = (s for s in steps if s.name == "build csv")
    ok = max(a.peak_mb, b.peak_mb) < GOAL_PEAK_MB and b.peak_mb < 1.25 * a.peak_mb
    return (f"\npeak memory: build of {a.rows:,} rows {a.peak_mb:.0f} MB, of {b.rows:,} rows {b.peak_mb:.0f} MB "
            f"(ratio {b.peak_mb / a.peak_mb:.2f}; goal: both < {GOAL_PEAK_MB:g} MB and about the same): "
            f"{'met' if ok else 'NOT met'}")


def run_steps(steps: list[Step], work: Path, timeout: float, repeat: int = 1) -> list[Step]:
    """Measure every step ``repeat`` times, in turns; keep the fastest time and the highest peak."""
    for turn in range(repeat):
        for step in steps:
            print(f"  {step.name} ({step.rows:,} rows) ...", file=sys.stderr, flush=True)
            best, peak = step.seconds, step.peak_mb
            measure(step, work, timeout)
            print(f"    {step.seconds:.1f} s, {step.peak_mb:.0f} MB {step.note}", file=sys.stderr, flush=True)
            if turn:
                step.seconds, step.peak_mb = min(best, step.seconds), max(peak, step.peak_mb)
    floors = {s.rows: s.seconds for s in steps if s.name == "I/O floor" and s.status == 0}
    for step in steps:
        if step.rows in floors and step.name != "startup":
            step.floor = step.seconds / floors[step.rows]
    return steps


def table(steps: Sequence[Step]) -> str:
    head = f"{'step':<14} {'rows':>10} {'seconds':>9} {'rows/s':>10} {'x floor':>8} {'peak MB':>12}  note"
    lines = [head, "-" * len(head)]
    for s in steps:
        rate = f"{s.rows / s.seconds:,.0f}" if s.rows and s.seconds else ""
        ratio = f"{s.floor:.1f}" if s.floor is not None else ""
        lines.append(f"{s.name:<14} {s.rows:>10,} {s.seconds:>9.2f} {rate:>10} {ratio:>8} {s.peak_mb:>12.0f}  "
                     f"{_note(s)}")
    return "\n".join(lines)


def _note(step: Step) -> str:
    facts = step.extra
    parts = [step.note] if step.note else []
    if "accepted" in facts:
        parts.append(f"{facts['accepted']:,} accepted, {facts.get('rejected', 0):,} rejected")
    if "errors" in facts and step.name == "frictionless":
        parts.append(f"{facts['errors']:,} errors")
    if facts.get("output") and Path(facts["output"]).exists():
        parts.append(f"{Path(facts['output']).stat().st_size / 1e6:,.0f} MB out")
    return "; ".join(parts)


def goals(steps: Sequence[Step], rows: int, small_rows: int) -> str:
    def find(name: str, n: int) -> Step | None:
        return next((s for s in steps if s.name == name and s.rows == n and s.status in (0, 1)), None)

    lines = ["", "goals (ratios from this run):"]

    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    build = find("build csv", rows)
    if build and build.floor is not None:
        lines.append(f"  build csv {rows:,} = {build.floor:.1f} x I/O floor (goal <= {GOAL_BUILD_X_FLOOR:g}): "
                     f"{verdict(build.floor <= GOAL_BUILD_X_FLOOR)}")
    validate, friction = find("validate", small_rows), find("frictionless", small_rows)
    if validate and friction:
        x = friction.seconds / validate.seconds
        lines.append(f"  validate {small_rows:,} is {x:.1f} x faster than frictionless, process against process "
                     f"(goal >= {GOAL_FRICTIONLESS_X:g}): {verdict(x >= GOAL_FRICTIONLESS_X)}")
        mine, theirs = validate.extra.get("work_seconds"), friction.extra.get("work_seconds")
        if mine and theirs:
            lines.append(f"  validate {small_rows:,} is {theirs / mine:.1f} x faster than frictionless, the work "
                         f"alone ({mine:.2f} s against {theirs:.2f} s; imports and start excluded)")
        startup = find("startup", 0)
        if startup:
            budget = friction.seconds / GOAL_FRICTIONLESS_X
            lines.append(f"  startup alone (interpreter, pandas, pandera, pyarrow, alphaimport) {startup.seconds:.2f} s "
                         f"against the goal's {budget:.2f} s for start and work together (frictionless / "
                         f"{GOAL_FRICTIONLESS_X:g}): {startup.seconds / budget:.0%} of it")
    if build:
        lines.append(f"  peak memory build csv {rows:,} = {build.peak_mb:.0f} MB (goal < {GOAL_PEAK_MB:g}): "
                     f"{verdict(build.peak_mb < GOAL_PEAK_MB)}")
    csv = find("build csv", small_rows)
    for fmt in ("xlsx", "ods"):
        s = find(f"build {fmt}", small_rows)
        if s:
            writing = f" (writing {fmt}: {s.seconds - csv.seconds:+.1f} s over build csv)" if csv else ""
            lines.append(f"  build {fmt} {small_rows:,} = {s.seconds:.1f} s (goal < {GOAL_SPREADSHEET_S:g} s): "
                         f"{verdict(s.seconds < GOAL_SPREADSHEET_S)}{writing}")
    return "\n".join(lines)


# -- the steps that are not alphaimport ------------------------------------------------------------

def child_floor(source: str, target: str) -> None:
    """pyarrow: read every column as text, write it fully quoted with ';' (the I/O floor)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    with open(source, "rb") as handle:
        header = handle.readline().decode("utf-8-sig").rstrip("\r\n").split(";")
    names = [h.strip('"') for h in header]
    table = pacsv.read_csv(source, parse_options=pacsv.ParseOptions(delimiter=";", newlines_in_values=True),
                           convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                                strings_can_be_null=False))
    pacsv.write_csv(table, target, pacsv.WriteOptions(delimiter=";", quoting_style="all_valid"))
    print(json.dumps({"rows": table.num_rows}))


def child_frictionless(source: str) -> None:
    """Frictionless: the file against the equivalent Table Schema, every error collected."""
    import frictionless_schema
    import generate
    from alphaimport.profile import Profile

    started = time.perf_counter()
    rows, errors = frictionless_schema.validate(source, generate.COLUMNS, Profile(*PROFILE[1::2]))
    print(json.dumps({"rows": rows, "errors": errors, "work_seconds": time.perf_counter() - started}))


def child_timed(*argv: str) -> None:
    """``alphaimport ARGV`` in this process, its seconds without interpreter start and imports (the work)."""
    from alphaimport import cli

    started = time.perf_counter()
    status = cli.main(list(argv))
    print(json.dumps({"work_seconds": time.perf_counter() - started}))
    sys.exit(status)


def child_profile(source: str, cprofile_top: str, chunk_rows: str) -> None:
    """Build in this process with a timer on every stage (and cProfile's top functions when asked)."""
    import stages

    stages.profile_build(Path(source), MAPPING, int(cprofile_top), int(chunk_rows))


# -- the command -----------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the big file (default 1,000,000)")
    parser.add_argument("--small-rows", type=int, default=100_000,
                        help="rows for validate-vs-frictionless and the output formats (default 100,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--only", nargs="+", metavar="STEP",
                        help="only these steps: build, validate, frictionless, startup (the floor always runs)")
    parser.add_argument("--memory-check", type=int, metavar="ROWS",
                        help="build csv at --rows and at ROWS; compare the peak memory")
    parser.add_argument("--profile", type=int, metavar="ROWS", help="time build's stages on ROWS rows")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N",
                        help="with --profile: also print cProfile's top N functions (slower)")
    parser.add_argument("--chunk-rows", type=int, default=0, metavar="N",
                        help="with --profile: the pipeline's chunk size (default: the pipeline's own)")
    parser.add_argument("--repeat", type=int, default=1, metavar="N",
                        help="run the steps N times in turns; report the fastest time and the highest peak")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per step (default 3600)")
    parser.add_argument("--keep", action="store_true", help="keep the outputs (printed work folder)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--child"]:  # a step's own process (its arguments are not this parser's)
        kind, *rest = argv[1:]
        children = {"floor": child_floor, "frictionless": child_frictionless, "profile": child_profile,
                    "timed": child_timed}
        children[kind](*rest)
        return 0
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="alphaimport-bench-"))
    try:
        if args.profile:
            source = data_file(args.profile, args.seed)
            return subprocess.call(_child("profile", source, args.cprofile, args.chunk_rows), env=_env())
        big = data_file(args.rows, args.seed)
        if args.memory_check:
            steps = memory_plan(big, data_file(args.memory_check, args.seed), args.rows, args.memory_check, work)
        else:
            small = data_file(args.small_rows, args.seed) if args.small_rows < args.rows else big
            steps = plan(big, small, args.rows, args.small_rows, work, set(args.only) if args.only else None)
        print(f"benchmark: seed {args.seed}, profile sms+paylink, work folder {work}", file=sys.stderr)
        run_steps(steps, work, args.timeout, args.repeat)
        print(f"\nalphaimport benchmark (seed {args.seed}; {os.cpu_count()} cores; python {sys.version.split()[0]}"
              + (f"; best of {args.repeat}" if args.repeat > 1 else "") + ")")
        print(table(steps))
        print(memory_verdict(steps) if args.memory_check else goals(steps, args.rows, args.small_rows))
        if args.json:
            args.json.write_text(json.dumps([s.__dict__ for s in steps], indent=1, default=str) + "\n")
        failed = [s for s in steps if s.status not in (0, 1)]
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"outputs kept in {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
