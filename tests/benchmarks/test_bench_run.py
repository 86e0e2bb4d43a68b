"""benchmarks/run.py: the goals it prints, from the figures of one run."""
from __future__ import annotations

import run  # benchmarks/ (conftest puts it on the path)


def _steps() -> list[run.Step]:
    steps = [
        run.Step("startup", 0, [], seconds=0.7),
        run.Step("I/O floor", 1_000_000, [], seconds=2.0),
        run.Step("build csv", 1_000_000, [], seconds=19.0, peak_mb=270.0),
        run.Step("I/O floor", 100_000, [], seconds=0.4),
        run.Step("build csv", 100_000, [], seconds=3.0),
        run.Step("validate", 100_000, [], seconds=2.5, extra={"work_seconds": 2.0}),
        run.Step("frictionless", 100_000, [], seconds=5.0, extra={"work_seconds": 4.0}),
        run.Step("build xlsx", 100_000, [], seconds=5.5),
        run.Step("build ods", 100_000, [], seconds=16.0),
    ]
    floors = {s.rows: s.seconds for s in steps if s.name == "I/O floor"}
    for step in steps:
        if step.rows in floors:
            step.floor = step.seconds / floors[step.rows]
    return steps


def test_the_goals_are_the_ratios_of_one_run_with_their_verdicts() -> None:
    assert run.goals(_steps(), 1_000_000, 100_000).splitlines() == [
        "",
        "goals (ratios from this run):",
        "  build csv 1,000,000 = 9.5 x I/O floor (goal <= 5): NOT met",
        "  validate 100,000 is 2.0 x faster than frictionless, process against process (goal >= 10): NOT met",
        "  validate 100,000 is 2.0 x faster than frictionless, the work alone (2.00 s against 4.00 s; imports and "
        "start excluded)",
        "  startup alone (interpreter, pandas, pandera, pyarrow, alphaimport) 0.70 s against the goal's 0.50 s for "
        "start and work together (frictionless / 10): 140% of it",
        "  peak memory build csv 1,000,000 = 270 MB (goal < 500): met",
        "  build xlsx 100,000 = 5.5 s (goal < 15 s): met (writing xlsx: +2.5 s over build csv)",
        "  build ods 100,000 = 16.0 s (goal < 15 s): NOT met (writing ods: +13.0 s over build csv)",
    ]


def test_a_goal_whose_steps_did_not_run_is_left_out() -> None:
    only_build = [s for s in _steps() if s.name in ("I/O floor", "build csv")]
    assert run.goals(only_build, 1_000_000, 100_000).splitlines()[2:] == [
        "  build csv 1,000,000 = 9.5 x I/O floor (goal <= 5): NOT met",
        "  peak memory build csv 1,000,000 = 270 MB (goal < 500): met",
    ]
