"""Processes for the fault and concurrency tests: builds killed at random moments or at named steps, a zygote
that forks builds without paying for imports each time, and the consistency check of a folder and its ledger."""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

from .harness import DELIVERY_SUFFIXES, REPO, Run, _text, clean_env, count_records


# -- killing builds ---------------------------------------------------------------------------------------

#: moments a child build kills itself at (SIGKILL), besides "random" (the parent kills it after a delay)
KILL_POINTS = ("after-first-write", "before-links", "between-links", "before-ledger", "after-ledger")

_CHILD = """
import os, sys
sys.path.insert(0, {tests!r})
from hostile.processes import arm_kill_point
from alphaimport.cli import main
arm_kill_point(os.environ.get("HOSTILE_KILL_AT", ""))
sys.stdout.write("ready\\n")
sys.stdout.flush()
sys.stdin.readline()
sys.exit(main(sys.argv[1:]))
"""

# A zygote imports alphaimport once, then forks one build per request: the builds it forks are separate
# processes a SIGKILL ends as any other, without paying 0.6 s of imports each.
_ZYGOTE = """
import json, os, sys
sys.path.insert(0, {tests!r})
from hostile.processes import arm_kill_point
from alphaimport.cli import main
import alphaimport.pipeline, alphaimport.report, alphaimport.validate, alphaimport.schema
from alphaimport.formats import csv, json as _json, ods, xls, xlsx, xml
from alphaimport import registry
registry.default()
sys.stdout.write("ready\\n")
sys.stdout.flush()


def redirect(out, err):
    for fd, path in ((1, out), (2, err)):
        os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), fd)


for line in sys.stdin:
    request = json.loads(line)
    if "race" in request:  # fork them all, each waiting at a gate; open the gate once all are there
        gate, opener = os.pipe()
        pids = []
        for argv, out, err in zip(request["race"], request["stdout"], request["stderr"]):
            pid = os.fork()
            if pid == 0:
                os.close(opener)
                redirect(out, err)
                os.read(gate, 1)
                code = 70
                try:
                    code = main(argv)
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            pids.append(pid)
        os.close(gate)
        os.write(opener, b"x" * len(pids))
        os.close(opener)
        codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
        sys.stdout.write(json.dumps({{"codes": codes}}) + "\\n")
        sys.stdout.flush()
        continue
    pid = os.fork()
    if pid == 0:
        redirect(request["stdout"], request["stderr"])
        code = 70
        try:
            arm_kill_point(request["point"])
            code = main(request["argv"])
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    sys.stdout.write(json.dumps({{"pid": pid}}) + "\\n")
    sys.stdout.flush()
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(json.dumps({{"code": os.waitstatus_to_exitcode(status)}}) + "\\n")
    sys.stdout.flush()
"""


class Zygote:
    """A process that forks builds on request (see _ZYGOTE); use as a context manager."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        scratch.mkdir(parents=True, exist_ok=True)
        self._count = 0
        self._process = subprocess.Popen([sys.executable, "-c", _ZYGOTE.format(tests=str(REPO / "tests"))],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=clean_env(),
                                         cwd=str(REPO))
        assert self._process.stdout is not None and self._process.stdout.readline() == b"ready\n"

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._process.poll() is None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def race(self, argvs: Sequence[Sequence[str]], timeout: float = 300.0) -> list[Run]:
        """Builds forked together, each waiting at a gate opened once all exist: they start at one moment."""
        import json

        assert self._process.stdin is not None and self._process.stdout is not None
        self._count += 1
        outs = [self.scratch / f"{self._count}-{i}.out" for i in range(len(argvs))]
        errs = [self.scratch / f"{self._count}-{i}.err" for i in range(len(argvs))]
        request = {"race": [list(a) for a in argvs], "stdout": [str(p) for p in outs], "stderr": [str(p) for p in errs]}
        self._process.stdin.write((json.dumps(request) + "\n").encode())
        self._process.stdin.flush()
        codes = json.loads(self._process.stdout.readline())["codes"]
        runs = []
        for code, out, err in zip(codes, outs, errs):
            texts = [p.read_bytes().decode("utf-8", "backslashreplace") if p.exists() else "" for p in (out, err)]
            runs.append(Run(code, texts[0], texts[1], 0.0))
            out.unlink(missing_ok=True)
            err.unlink(missing_ok=True)
        return runs

    def build(self, argv: Sequence[str], point: str = "random", delay: float = 0.0,
              timeout: float = 120.0) -> Killed:
        """One build in a forked process; "random": SIGKILL it ``delay`` s after it started (if still
        running); a named point: it kills itself there."""
        import json
        import select

        assert self._process.stdin is not None and self._process.stdout is not None
        self._count += 1
        out, err = self.scratch / f"{self._count}.out", self.scratch / f"{self._count}.err"
        request = {"argv": list(argv), "point": "" if point == "random" else point, "stdout": str(out),
                   "stderr": str(err)}
        self._process.stdin.write((json.dumps(request) + "\n").encode())
        self._process.stdin.flush()
        pid = json.loads(self._process.stdout.readline())["pid"]
        start = time.monotonic()
        killed = False
        wait = delay if point == "random" else timeout
        ready, _, _ = select.select([self._process.stdout], [], [], wait)
        if not ready:
            os.kill(pid, signal.SIGKILL)
            killed = point == "random"
        code = json.loads(self._process.stdout.readline())["code"]
        seconds = time.monotonic() - start
        killed = killed or code == -signal.SIGKILL
        texts = [path.read_bytes().decode("utf-8", "backslashreplace") if path.exists() else "" for path in (out, err)]
        for path in (out, err):
            path.unlink(missing_ok=True)
        return Killed(point, delay, code, killed, texts[0], texts[1], seconds)


def arm_kill_point(point: str) -> None:
    """In a child build: SIGKILL this process at a named moment of writing the delivery."""
    if not point:
        return
    from alphaimport import deliver
    from alphaimport.ledger import Ledger

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    if point == "after-first-write":
        original_write = deliver.Delivery.write

        def write(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            original_write(self, *args, **kwargs)
            die()
        deliver.Delivery.write = write  # type: ignore[method-assign]
    elif point in ("before-links", "between-links"):
        original_link = deliver._link_into_place
        calls = []

        def link(temp: Path, final: Path) -> None:
            calls.append(final)
            if point == "before-links" or len(calls) == 2:
                die()
            original_link(temp, final)
        deliver._link_into_place = link
    elif point in ("before-ledger", "after-ledger"):
        original_complete = Ledger.complete

        def complete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if point == "before-ledger":
                die()
            original_complete(self, *args, **kwargs)
            die()
        Ledger.complete = complete  # type: ignore[method-assign]
    else:
        raise ValueError(f"unknown kill point {point!r}")


@dataclasses.dataclass
class Killed:
    """One build that was started and (maybe) killed."""

    point: str
    delay: float
    code: int | None
    killed: bool
    out: str
    err: str
    seconds: float


def spawn_child(argv: Sequence[str], point: str = "") -> subprocess.Popen:
    """A child build that imports alphaimport, prints "ready" and waits for a line on stdin to start."""
    env = clean_env(HOSTILE_KILL_AT=point)
    return subprocess.Popen([sys.executable, "-c", _CHILD.format(tests=str(REPO / "tests")), *argv],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            cwd=str(REPO))


def wait_ready(child: subprocess.Popen) -> subprocess.Popen:
    """The child, once it has said "ready"."""
    assert child.stdout is not None and child.stdout.readline() == b"ready\n", "the child did not start"
    return child


def start_child(argv: Sequence[str], point: str = "") -> subprocess.Popen:
    """A child build, imported and waiting for a line on stdin to start."""
    return wait_ready(spawn_child(argv, point))


def kill_build(argv: Sequence[str], point: str = "random", delay: float = 0.0, timeout: float = 120.0) -> Killed:
    """Run one build in a child; "random": SIGKILL it ``delay`` seconds after it starts (if still running),
    else it kills itself at the named point."""
    child = start_child(argv, "" if point == "random" else point)
    assert child.stdin is not None
    child.stdin.write(b"go\n")
    child.stdin.flush()
    start = time.monotonic()
    killed = False
    if point == "random":
        try:
            child.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            child.kill()
            killed = True
    try:
        out, err = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
    killed = killed or child.returncode == -signal.SIGKILL
    return Killed(point, delay, child.returncode, killed, _text(out), _text(err), time.monotonic() - start)


def ledger_rows(ledger: Path) -> list[tuple[str, str, str]]:
    """(name, status, path) of every delivery in a ledger, read with sqlite3 directly."""
    import sqlite3

    if not ledger.exists():
        return []
    db = sqlite3.connect(ledger, timeout=60)  # read-write: after a SIGKILL the WAL may need recovering
    try:
        return db.execute("SELECT name, status, path FROM deliveries ORDER BY name").fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):  # killed while creating the ledger: no delivery yet
            return []
        raise
    finally:
        db.close()


def ledger_identifiers(ledger: Path) -> list[tuple[str, str, str]]:
    """(identifier, delivery name, delivery status) of every identifier recorded."""
    import sqlite3

    if not ledger.exists():
        return []
    db = sqlite3.connect(ledger, timeout=60)  # read-write: after a SIGKILL the WAL may need recovering
    try:
        return db.execute("SELECT i.identifier, i.delivery, d.status FROM identifiers i "
                          "JOIN deliveries d ON d.name = i.delivery").fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return []
        raise
    finally:
        db.close()


def check_folder_and_ledger(out_dir: Path, ledger: Path, expected: dict[str, int] | None = None,
                            parts_allowed: bool = True) -> dict[str, list[str]]:
    """What is wrong with a folder of deliveries and its ledger, after any number of (killed) builds.

    ``expected``: the records a complete delivery (``accepted``) and rejects file (``rejected``) hold.
    Returns problems as {"partial": [...], "duplicate": [...], "ledger": [...]}.
    """
    problems: dict[str, list[str]] = {"partial": [], "duplicate": [], "ledger": []}
    files = sorted(out_dir.iterdir()) if out_dir.is_dir() else []
    if not parts_allowed:
        problems["partial"] += [f"temporary file left: {p.name}" for p in files if p.name.endswith(".part")]
    outputs = [p for p in files if not p.name.endswith(".part") and p.suffix in DELIVERY_SUFFIXES]
    for path in outputs:
        try:
            records = count_records(path)
        except Exception as exc:  # noqa: BLE001
            problems["partial"].append(f"{path.name} is not complete: {type(exc).__name__}: {str(exc)[:200]}")
            continue
        if expected is not None:
            want = expected["rejected" if path.name.endswith(".rejects.csv") else "accepted"]
            if records != want:
                problems["partial"].append(f"{path.name} holds {records} records, a complete one {want}")
    rows = ledger_rows(ledger)
    names = [name for name, _, _ in rows]
    problems["duplicate"] += [f"name {n} issued {names.count(n)} times" for n in set(names) if names.count(n) > 1]
    stems = [n.split(".", 1)[0] for n in names]
    problems["duplicate"] += [f"number {s} issued {stems.count(s)} times" for s in set(stems) if stems.count(s) > 1]
    status = {name: state for name, state, _ in rows}
    for name, state, path in rows:
        if state == "complete" and not (Path(path).is_file() and Path(path).parent == out_dir):
            problems["ledger"].append(f"{name} is complete but its file {path} does not exist")
    for path in outputs:
        stem = path.name.split(".", 1)[0]
        owner = [n for n in names if n.split(".", 1)[0] == stem]
        if not owner:
            problems["ledger"].append(f"{path.name} exists but the ledger never issued its name")
        elif status[owner[0]] == "failed":
            problems["ledger"].append(f"{path.name} exists but the ledger says its build failed")
    for identifier, delivery, state in ledger_identifiers(ledger):
        if state != "complete":
            problems["ledger"].append(f"identifier {identifier} recorded for {delivery}, which is {state}")
    return problems
