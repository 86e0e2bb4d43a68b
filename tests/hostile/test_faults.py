"""Faults: builds killed at random moments and at each step of delivering, ledger and link failures,
a locked ledger, a full disk: never a partial delivery, never a name twice, a ledger that tells the truth."""
from __future__ import annotations

import concurrent.futures
import contextlib
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from alphaimport import deliver
from alphaimport.errors import LedgerError, WriteError
from alphaimport.ledger import Ledger

from .cases import write_kill_input
from .harness import (
    build_argv, CLIENT, DAY, FIXTURES, judge, OUTPUT_FORMATS, run_inprocess, run_subprocess, summary_counts,
)
from .processes import check_folder_and_ledger, KILL_POINTS, ledger_rows, Zygote

RANDOM_KILLS = 25  # plus one per named kill point: 30 SIGKILLs
MESSY = FIXTURES / "messy20.json"


@pytest.fixture(scope="module")
def zygotes(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Two processes that fork the builds to kill (imports paid once)."""
    folder = tmp_path_factory.mktemp("zygotes")
    with Zygote(folder / "a") as first, Zygote(folder / "b") as second:
        yield first, second


@pytest.fixture(scope="module")
def kill_input(tmp_path_factory: pytest.TempPathFactory, zygotes) -> tuple[Path, dict[str, int], float]:  # type: ignore[no-untyped-def]
    """The input the killed builds read, what a complete build of it holds, and how long one takes."""
    folder = tmp_path_factory.mktemp("kill-input")
    source = folder / "input.csv"
    write_kill_input(source, rows=1500)
    full = zygotes[0].build(build_argv(source, folder / "calibration", folder / "calibration.db"), delay=300)
    assert full.code == 1 and not full.killed, full.err
    counts = summary_counts(full.out)
    assert counts["accepted"] > 0 and counts["rejected"] > 0
    return source, counts, full.seconds


def _no_problems(problems: dict[str, list[str]]) -> None:
    found = {kind: items for kind, items in problems.items() if items}
    assert not found, found


def test_sigkill_at_random_moments_never_leaves_a_partial_file_or_an_untrue_ledger(
        kill_input: tuple[Path, dict[str, int], float], zygotes, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source, counts, seconds = kill_input
    out, ledger = tmp_path / "out", tmp_path / "ledger.db"
    rnd = random.Random(20261122)
    plans = [(zygotes[i % 2], OUTPUT_FORMATS[i % 4], rnd.uniform(0.0, seconds * 1.1)) for i in range(RANDOM_KILLS)]

    def slot(mine: list) -> list:  # type: ignore[type-arg]
        return [zygote.build(build_argv(source, out, ledger, fmt), "random", delay) for zygote, fmt, delay in mine]

    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # two at a time: they share folder and ledger
        results = [r for part in pool.map(slot, [plans[0::2], plans[1::2]]) for r in part]
    assert all(r.code in (0, 1, 2, -signal.SIGKILL) for r in results), [(r.code, r.err) for r in results]
    assert sum(r.killed for r in results) >= RANDOM_KILLS // 3  # most really were killed mid-build
    _no_problems(check_folder_and_ledger(out, ledger, counts))

    # the next build in the folder succeeds and clears the temporary files the killed ones left
    after = run_inprocess(build_argv(source, out, ledger, "csv"))
    assert after.code == 1, after.err
    _no_problems(check_folder_and_ledger(out, ledger, counts, parts_allowed=False))


@pytest.mark.parametrize("point", KILL_POINTS)
def test_sigkill_at_each_step_of_delivering(point: str, kill_input: tuple[Path, dict[str, int], float], zygotes,  # type: ignore[no-untyped-def]
                                            tmp_path: Path) -> None:
    source, counts, _ = kill_input
    out, ledger = tmp_path / "out", tmp_path / "ledger.db"
    result = zygotes[0].build(build_argv(source, out, ledger, "xlsx"), point)
    assert result.killed, (result.code, result.err)
    _no_problems(check_folder_and_ledger(out, ledger, counts))
    deliveries = [p for p in out.iterdir() if p.suffix == ".xlsx"]
    if point in ("after-first-write", "before-links", "between-links"):
        assert deliveries == []  # the delivery is the last file linked into place
    if point == "after-ledger":
        assert [row[1] for row in ledger_rows(ledger)] == ["complete"]
    again = run_inprocess(build_argv(source, out, ledger, "xlsx"))
    assert again.code == 1, again.err
    _no_problems(check_folder_and_ledger(out, ledger, counts, parts_allowed=False))


def test_part_files_of_dead_builds_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    try:
        live_part = out / f".{DAY}-{CLIENT}-7.csv.{sleeper.pid}.part"
        dead_parts = [out / f".{DAY}-{CLIENT}-8.csv.{dead.pid}.part",
                      out / f".{DAY}-{CLIENT}-8.rejects.csv.{dead.pid}.part"]
        unrelated = [out / ".notes.123.part", out / f"{DAY}-{CLIENT}-9.csv.{dead.pid}.part", out / "keep.txt"]
        for path in [live_part, *dead_parts, *unrelated]:
            path.write_text("x")
        run = run_inprocess(build_argv(MESSY, out, tmp_path / "ledger.db"))
        assert run.code == 1, run.err
        assert live_part.exists() and all(p.exists() for p in unrelated)
        assert not any(p.exists() for p in dead_parts)
    finally:
        sleeper.kill()
        sleeper.wait()


def test_a_ledger_failure_at_commit_leaves_no_delivery(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def locked(self: Ledger, *args: object, **kwargs: object) -> None:
        raise LedgerError("the ledger x is locked by another build; waited 60 s (try again)")

    monkeypatch.setattr(Ledger, "complete", locked)
    out = tmp_path / "out"
    run = run_inprocess(build_argv(MESSY, out, tmp_path / "ledger.db"))
    assert run.code == 2 and "locked by another build" in run.err
    verdict = judge(run, out)
    assert verdict.ok, verdict.explain()
    assert [row[1] for row in ledger_rows(tmp_path / "ledger.db")] == ["failed"]


def test_a_ledger_locked_while_a_failed_build_gives_its_name_back_keeps_the_first_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from alphaimport import formats

    def full(self: object, frame: object) -> None:
        raise OSError(28, "No space left on device")

    def locked(self: Ledger, *args: object) -> None:
        raise LedgerError("the ledger x is locked by another build; waited 60 s (try again)")

    monkeypatch.setattr(formats.writer("csv"), "write", full)
    monkeypatch.setattr(Ledger, "fail", locked)
    run = run_inprocess(build_argv(MESSY, tmp_path / "out", tmp_path / "ledger.db"))
    assert run.code == 2 and "No space left on device" in run.err, run.err
    assert judge(run, tmp_path / "out").ok
    assert [row[1] for row in ledger_rows(tmp_path / "ledger.db")] == ["reserved"]  # still never reused


@pytest.mark.parametrize("failing_call", [1, 2])
def test_a_failed_link_leaves_neither_file(failing_call: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original, calls = deliver._link_into_place, []

    def link(temp: Path, final: Path) -> None:
        calls.append(final)
        if len(calls) == failing_call:
            temp.unlink()
            raise WriteError(f"cannot write {final}: No space left on device")
        original(temp, final)

    monkeypatch.setattr(deliver, "_link_into_place", link)
    out = tmp_path / "out"
    run = run_inprocess(build_argv(MESSY, out, tmp_path / "ledger.db"))
    assert run.code == 2 and "No space left on device" in run.err
    assert list(out.iterdir()) == []


def test_a_folder_written_with_another_ledger_never_collides(tmp_path: Path) -> None:
    # another machine (another ledger) wrote delivery 1 into the same folder: every record rejected, so only
    # its rejects file is there; a build with a fresh ledger must not take number 1
    out = tmp_path / "out"
    out.mkdir()
    theirs = out / f"{DAY}-{CLIENT}-1.rejects.csv"
    theirs.write_text("their rejects\n")
    for fmt in ("xml", "csv"):
        run = run_inprocess(build_argv(MESSY, out, tmp_path / f"fresh-{fmt}.db", fmt))
        assert run.code == 1, run.err
        verdict = judge(run, out)
        assert not verdict.traceback and not verdict.hang, verdict.explain()
    assert theirs.read_text() == "their rejects\n"
    assert sorted(p.name for p in out.iterdir()) == sorted([
        theirs.name, f"{DAY}-{CLIENT}-2.xml", f"{DAY}-{CLIENT}-2.rejects.csv",
        f"{DAY}-{CLIENT}-3.csv", f"{DAY}-{CLIENT}-3.rejects.csv"])


@contextlib.contextmanager
def _ledger_held(path: Path, seconds: float) -> Iterator[None]:
    """Another process's write transaction on the ledger at ``path`` for ``seconds``, begun before the
    body runs; the body's end waits for it to be over."""
    with Ledger(path):  # creates it
        pass
    started = threading.Event()

    def hold() -> None:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("BEGIN IMMEDIATE")
        started.set()
        time.sleep(seconds)
        db.execute("COMMIT")
        db.close()

    holder = threading.Thread(target=hold)
    holder.start()
    started.wait()
    try:
        yield
    finally:
        holder.join()


def test_a_build_waits_for_a_ledger_another_build_holds(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.db"
    with _ledger_held(ledger, 1.0):
        run = run_subprocess(build_argv(MESSY, tmp_path / "out", ledger))
    assert run.code == 1, run.err
    verdict = judge(run, tmp_path / "out")
    assert verdict.ok, verdict.explain()


def test_a_ledger_held_too_long_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from alphaimport import ledger as ledger_module

    original = Ledger.__init__

    def impatient(self: Ledger, path: object = None, timeout: float = 0.5) -> None:
        original(self, path, timeout=0.5)

    monkeypatch.setattr(Ledger, "__init__", impatient)
    monkeypatch.setattr(ledger_module, "LOCK_TIMEOUT_S", 0.5)
    ledger = tmp_path / "ledger.db"
    with _ledger_held(ledger, 1.5):
        run = run_inprocess(build_argv(MESSY, tmp_path / "out", ledger))
    assert run.code == 2 and "locked by another build" in run.err, run.err
    verdict = judge(run, tmp_path / "out")
    assert verdict.ok, verdict.explain()


@pytest.mark.parametrize("out_dir, message", [
    ("/proc/self", "the output folder /proc/self is not writable"),  # read-only for root too
    ("/proc/self/new", "cannot create the output folder /proc/self/new"),
])
def test_a_read_only_output_folder_through_the_cli(out_dir: str, message: str, tmp_path: Path) -> None:
    run = run_inprocess(build_argv(MESSY, Path(out_dir), tmp_path / "ledger.db"))
    assert run.code == 2 and message in run.err, run.err
    assert judge(run, tmp_path / "nothing").ok
    assert ledger_rows(tmp_path / "ledger.db") == []  # no name issued


@pytest.mark.parametrize("report", ["/proc/self/report.json", "report\x00.json"])
def test_a_report_that_cannot_be_written_leaves_no_delivery(report: str, tmp_path: Path) -> None:
    run = run_inprocess(build_argv(MESSY, tmp_path / "out", tmp_path / "ledger.db") + ["--report", report])
    assert run.code == 2 and "internal error" not in run.err, run.err
    verdict = judge(run, tmp_path / "out")
    assert verdict.ok, verdict.explain()


def _file_size_limit() -> None:
    """In the child: files may not grow past 64 kB (writes beyond fail with EFBIG, as on a full disk)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64_000, 64_000))


@pytest.mark.parametrize("fmt", ["csv", "xml", "xlsx"])  # ODS shares the XLSX writer's zip streaming
def test_a_full_disk_in_a_real_process_is_one_line_and_no_partial_file(fmt: str, kill_input: tuple,
                                                                      tmp_path: Path) -> None:
    source = kill_input[0]
    ledger = tmp_path / "ledger.db"
    with Ledger(ledger):  # the ledger exists before the limit applies
        pass
    run = run_subprocess(build_argv(source, tmp_path / "out", ledger, fmt), preexec_fn=_file_size_limit)
    assert run.code == 2, (run.code, run.err)
    assert "too large" in run.err.lower() or "no space" in run.err.lower(), run.err
    verdict = judge(run, tmp_path / "out")
    assert verdict.ok, verdict.explain()
