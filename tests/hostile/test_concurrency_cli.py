"""Builds started at the same moment, through the command line in separate processes.

Each child imports alphaimport, says "ready", and waits; all are told "go" together, so their reservations
really race (tests/test_deliver.py races the library; this races `alphaimport build` itself).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from .cases import write_kill_input
from .harness import build_argv, CLIENT, count_records, DAY, judge, Run, summary_counts
from .processes import check_folder_and_ledger, ledger_rows, spawn_child, wait_ready, Zygote

PROCESSES = 8


def _race(argvs: list[list[str]]) -> list[Run]:
    children = [wait_ready(child) for child in [spawn_child(argv) for argv in argvs]]
    for child in children:  # all imported and waiting: now go, together
        assert child.stdin is not None
        child.stdin.write(b"go\n")
    for child in children:
        assert child.stdin is not None
        child.stdin.flush()
    runs = []
    for child in children:
        out, err = child.communicate(timeout=180)
        runs.append(Run(child.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), 0.0))
    return runs


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("race") / "input.csv"
    write_kill_input(path, rows=150, seed=3)
    return path


def test_builds_started_together_get_distinct_names_and_complete_files(source: Path, tmp_path: Path) -> None:
    fmt, out, ledger = "csv", tmp_path / "out", tmp_path / "ledger.db"
    runs = _race([build_argv(source, out, ledger, fmt) for _ in range(PROCESSES)])
    assert [r.code for r in runs] == [1] * PROCESSES, [r.err for r in runs]
    counts = summary_counts(runs[0].out)
    for run in runs:
        verdict = judge(run, out)
        assert not verdict.traceback and not verdict.leak, verdict.explain()
    names = sorted(p.name for p in out.iterdir())
    deliveries = [n for n in names if not n.endswith(".rejects.csv")]
    assert len(deliveries) == PROCESSES and len(names) == 2 * PROCESSES, names
    assert sorted(deliveries) == sorted(f"{DAY}-{CLIENT}-{n}.{fmt}" for n in range(1, PROCESSES + 1))
    for name in deliveries:
        assert count_records(out / name) == counts["accepted"]
        assert count_records(out / name.replace(f".{fmt}", ".rejects.csv")) == counts["rejected"]
    assert [status for _, status, _ in ledger_rows(ledger)] == ["complete"] * PROCESSES
    problems = check_folder_and_ledger(out, ledger, counts, parts_allowed=False)
    assert not any(problems.values()), problems


def test_builds_with_separate_ledgers_into_one_folder_never_overwrite(source: Path, tmp_path: Path) -> None:
    # the ledger is what makes names unique; builds that do not share one can pick the same name at the same
    # moment: one links it into place, the others are refused -- never an overwrite, never a partial file.
    # (8 processes forked by one that imported alphaimport once, released together at a gate)
    out = tmp_path / "out"
    with Zygote(tmp_path / "zygote") as zygote:
        runs = zygote.race([build_argv(source, out, tmp_path / f"ledger{i}.db", "xlsx") for i in range(PROCESSES)])
    assert all(r.code in (1, 2) for r in runs), [r.err for r in runs]
    assert any(r.code == 1 for r in runs)
    for run in runs:
        assert run.code == 1 or "it was not overwritten" in run.err, run.err
        verdict = judge(run, out)
        assert not verdict.traceback and not verdict.leak, verdict.explain()
    counts = summary_counts(next(r.out for r in runs if r.code == 1))
    files = sorted(p for p in out.iterdir())
    assert not [p for p in files if p.name.endswith(".part")]
    for path in files:
        assert count_records(path) == counts["rejected" if path.name.endswith(".rejects.csv") else "accepted"]
