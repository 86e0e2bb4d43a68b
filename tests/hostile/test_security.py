"""Attacks hidden in input files and options, each refused (or read as data only) with a clear message.

Every build here is judged as the fuzzing judges it (exit 0/1/2, one line on stderr, no partial file) and,
besides, must leak nothing of /etc/passwd into stdout, stderr, a delivery, a rejects file or a report,
fetch nothing (a listening socket counts connections) and run nothing. Where strace is installed, the
system calls of the build are checked too: no open of /etc/passwd, no network connect, no exec.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import alphaimport as ai
from alphaimport.errors import ReadError, UnsafeInput

from . import builders
from .harness import build_argv, clean_env, CLIENT, DAY, FIXTURES, judge, PASSWD, REPO, Run, run_inprocess

DOCTYPE = "a DTD / DOCTYPE is not allowed"


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections made to it."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(8)
        self._socket.settimeout(0.2)
        self.port = self._socket.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def listener():  # type: ignore[no-untyped-def]
    served = Listener()
    yield served
    served.close()


# A build in a child process that records, through Python's audit hooks, every attempt to open
# /etc/passwd, to connect a socket, or to start a process: what the Python level of the build did.
_AUDITED = """
import json, sys
events = []
def hook(event, args):
    if event == "open" and "passwd" in str(args[0]):
        events.append(["open", str(args[0])])
    elif event in ("socket.connect", "socket.getaddrinfo", "urllib.Request"):
        events.append([event, repr(args)[:200]])
    elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.startfile"):
        events.append([event, repr(args)[:200]])
sys.addaudithook(hook)
from alphaimport.cli import main
try:
    code = main(sys.argv[2:])
finally:
    with open(sys.argv[1], "w") as out:
        json.dump(events, out)
sys.exit(code)
"""


def secure_build(argv: list[str], scratch: Path) -> tuple[Run, list[list[str]], list[str]]:
    """The build in a child under the audit hook (and strace where installed): its run, the audit events,
    and the suspicious system calls."""
    scratch.mkdir(parents=True, exist_ok=True)
    events_path, trace_path = scratch / "events.json", scratch / "strace.txt"
    command = [sys.executable, "-c", _AUDITED, str(events_path), *argv]
    strace = shutil.which("strace")
    if strace:
        command = [strace, "-f", "-qq", "-e", "trace=open,openat,connect,execve,execveat", "-o", str(trace_path),
                   *command]
    done = subprocess.run(command, capture_output=True, timeout=120, env=clean_env(), cwd=str(REPO))
    run = Run(done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"), 0.0)
    events = json.loads(events_path.read_text()) if events_path.exists() else [["no events file", ""]]
    calls: list[str] = []
    if strace and trace_path.exists():
        lines = trace_path.read_text(errors="replace").splitlines()
        execs = [line for line in lines if "execve(" in line]
        calls += execs[1:]  # the first is the child python itself
        calls += [line for line in lines if "/etc/passwd" in line]
        calls += [line for line in lines if "connect(" in line and ("AF_INET" in line or "AF_INET6" in line)]
    return run, events, calls


def assert_safe(run: Run, out_dir: Path, events: list, calls: list, listener: Listener | None = None,
                extra_files: tuple[Path, ...] = ()) -> None:
    verdict = judge(run, out_dir, extra_files=extra_files)
    assert verdict.ok, verdict.explain()
    assert events == [], events
    assert calls == [], calls[:5]
    if listener is not None:
        assert listener.connections == 0, "the build connected to the network"


# -- XML: DTDs and entities are refused before the parser sees them ------------------------------------------

TRACED = {"xml_xxe_file_entity.xml", "xml_xxe_network.xml", "xml_xxe_parameter_entity.xml",
          "hostile_xxe_remote_dtd.xml", "hostile_xinclude.xml", "hostile_xxe_in_sheet.xlsx"}
XML_ATTACKS = ["xml_xxe_file_entity.xml", "xml_xxe_network.xml", "xml_xxe_parameter_entity.xml",
               "xml_billion_laughs.xml", "xml_quadratic_blowup.xml", "hostile_xxe_utf16.xml",
               "hostile_xxe_after_comments.xml", "hostile_xxe_remote_dtd.xml"]


@pytest.mark.parametrize("name", XML_ATTACKS)
def test_xml_with_a_dtd_is_refused_before_parsing(name: str, tmp_path: Path, listener: Listener) -> None:
    text = (FIXTURES / name).read_bytes()
    for port in (b"127.0.0.1:9/", "127.0.0.1:9/".encode("utf-16-le")):  # aim the network ones at our port
        text = text.replace(port, port.replace(b"9", str(listener.port).encode()) if len(port) < 14 else
                            f"127.0.0.1:{listener.port}/".encode("utf-16-le"))
    source = tmp_path / name
    source.write_bytes(text)
    with pytest.raises(UnsafeInput, match=DOCTYPE):
        ai.read(source)
    argv = build_argv(source, tmp_path / "out", tmp_path / "l.db")
    if name in TRACED:
        run, events, calls = secure_build(argv, tmp_path / "audit")
    else:
        run, events, calls = run_inprocess(argv), [], []
    assert run.code == 2 and DOCTYPE in run.err, run.err
    assert_safe(run, tmp_path / "out", events, calls, listener)


@pytest.mark.parametrize("name, message", [
    ("hostile_xinclude.xml", "nested too deep"),  # XInclude is never processed: the element is just too deep
    ("hostile_entity_without_dtd.xml", "Entity 'xxe' not defined"),
    ("hostile_deep_nesting.xml", "nested"),
])
def test_xml_tricks_without_a_dtd_are_refused(name: str, message: str, tmp_path: Path, listener: Listener) -> None:
    source = tmp_path / name
    source.write_bytes((FIXTURES / name).read_bytes().replace(b"127.0.0.1:9/", f"127.0.0.1:{listener.port}/".encode()))
    argv = build_argv(source, tmp_path / "out", tmp_path / "l.db")
    run, events, calls = secure_build(argv, tmp_path / "audit") if name in TRACED else (run_inprocess(argv), [], [])
    assert run.code == 2 and message in run.err, run.err
    assert_safe(run, tmp_path / "out", events, calls, listener)


# -- spreadsheets: bombs refused, links and macros are data ----------------------------------------------------

@pytest.mark.parametrize("name, message", [
    ("xlsx_zip_bomb.xlsx", "zip bomb"),
    ("xlsx_zip_bomb_ratio.xlsx", "zip bomb"),
    ("ods_zip_bomb.ods", "zip bomb"),
    ("xlsx_cell_range_bomb.xlsx", "cells, over the"),
    ("hostile_repeat_bomb.ods", "too many cells"),
    ("hostile_xxe_in_sheet.xlsx", "unrecognized entity"),
    ("hostile_billion_laughs_in_sheet.xlsx", "unrecognized entity"),
    ("hostile_xxe_in_content.ods", "unrecognized entity"),
    ("hostile_xls_chain_loop.xls", "chain loops"),
])
def test_spreadsheet_bombs_and_entities_are_refused(name: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=message):
        ai.read(FIXTURES / name)
    argv = build_argv(FIXTURES / name, tmp_path / "out", tmp_path / "l.db")
    run, events, calls = secure_build(argv, tmp_path / "audit") if name in TRACED else (run_inprocess(argv), [], [])
    assert run.code == 2 and message in run.err, run.err
    assert_safe(run, tmp_path / "out", events, calls)


def test_external_links_are_read_as_their_cached_values_and_never_followed(tmp_path: Path,
                                                                           listener: Listener) -> None:
    url = f"http://127.0.0.1:{listener.port}/prices.xlsx"
    source = tmp_path / "links.xlsx"
    source.write_bytes(builders.external_links_xlsx(http_target=url))
    frame = ai.read(source)
    assert frame["PERSON_FAMILYNAME"].tolist() == builders.EXTERNAL_LINK_VALUES
    report = tmp_path / "report.json"
    for fmt in ("csv", "xml", "xlsx", "ods"):
        out = tmp_path / f"out-{fmt}"
        argv = build_argv(source, out, tmp_path / "l.db", fmt, ("sms", ""), "--report", str(report))
        # one build under strace and the audit hook; the others in this process, the listener still counting
        run, events, calls = secure_build(argv, tmp_path / fmt) if fmt == "csv" else (run_inprocess(argv), [], [])
        assert run.code == 0, run.err
        assert_safe(run, out, events, calls, listener, extra_files=(report,))
        delivered = ai.read(next(out.glob(f"*.{fmt}")))
        assert delivered["PERSON_FAMILYNAME"].tolist() == builders.EXTERNAL_LINK_VALUES


@pytest.mark.parametrize("name", ["hostile_macro_autorun.xlsm", "xlsm_with_macro.xlsm"])
def test_a_macro_workbook_is_read_as_data_and_no_macro_runs(name: str, tmp_path: Path) -> None:
    marker = Path("/tmp/alphaimport-macro-ran")
    marker.unlink(missing_ok=True)
    argv = build_argv(FIXTURES / name, tmp_path / "out", tmp_path / "l.db", "xlsx")
    run, events, calls = secure_build(argv, tmp_path / "audit") if name.startswith("hostile") else (
        run_inprocess(argv), [], [])
    assert run.code in (0, 1), run.err
    assert_safe(run, tmp_path / "out", events, calls)
    assert not marker.exists()
    if name.startswith("hostile"):
        delivered = ai.read(next((tmp_path / "out").glob("*.xlsx")))
        assert delivered["PERSON_FAMILYNAME"].tolist() == ["Macro"]


# -- names: client codes and folders never lead outside the output folder ------------------------------------

def _tree(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


@pytest.mark.parametrize("client", ["../x", "/etc", "..", ".", "a\x00b", "", "x" * 33, "10 01", "1001/../..",
                                    "1001\\..\\x", "１００１", "1001\n", "-1", "CON", "1001.csv"])
def test_a_client_code_that_is_not_letters_and_digits_is_refused_and_writes_nothing(
        client: str, tmp_path: Path) -> None:
    out = tmp_path / "deep" / "out"
    out.mkdir(parents=True)
    before = _tree(tmp_path)
    argv = build_argv(FIXTURES / "messy20.json", out, tmp_path / "l.db")
    argv[argv.index("--client") + 1] = client
    run = run_inprocess(argv)
    if client in ("CON",):  # letters only: a valid code (Windows device names do not matter here)
        assert run.code == 1, run.err
        return
    assert run.code == 2 and ("must be 1 to 32 letters and digits" in run.err or "needs --client" in run.err), \
        (client, run.err)
    assert judge(run, out).ok
    assert _tree(tmp_path) == before  # not a file anywhere, not even the ledger


@pytest.mark.parametrize("out_dir", ["../escape", "a/../../escape", "./x/../y", "deep/./../z"])
def test_an_out_dir_with_dot_dots_writes_only_into_the_folder_it_names(out_dir: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work" / "here"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    before = _tree(tmp_path)
    run = run_inprocess(build_argv(FIXTURES / "messy20.json", Path(out_dir), tmp_path / "l.db"))
    assert run.code == 1, run.err
    target = (work / out_dir).resolve()
    created = {p for p in _tree(tmp_path) - before if p.is_file()}
    assert created and all(p.parent == target or p.name.startswith("l.db") for p in created), created
    assert judge(run, target).ok


def test_an_out_dir_with_a_nul_is_a_clear_error(tmp_path: Path) -> None:
    before = _tree(tmp_path)
    run = run_inprocess(build_argv(FIXTURES / "messy20.json", Path(f"{tmp_path}/a\x00b"), tmp_path / "l.db"))
    assert run.code == 2 and "cannot create the output folder" in run.err and run.err.count("\n") == 1, run.err
    assert {p for p in _tree(tmp_path) - before if not p.name.startswith("l.db")} == set()


@pytest.mark.parametrize("option, value, message", [
    ("--ledger", "l\x00.db", "cannot use the ledger"),
    ("--mapping", "m\x00.yaml", "cannot read the mapping file"),
    ("--date", "../../20261122", "is not a date"),
])
def test_other_path_options_with_tricks_are_clear_errors(option: str, value: str, message: str,
                                                         tmp_path: Path) -> None:
    argv = build_argv(FIXTURES / "messy20.json", tmp_path / "out", tmp_path / "l.db")
    if option in argv:
        argv[argv.index(option) + 1] = value
    else:
        argv += [option, value]
    run = run_inprocess(argv)
    assert run.code == 2 and message in run.err and run.err.count("\n") == 1, run.err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_a_symlink_planted_at_the_next_name_is_never_followed(tmp_path: Path) -> None:
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    out.mkdir()
    victim.write_text("precious\n")
    for name in (f"{DAY}-{CLIENT}-1.csv", f"{DAY}-{CLIENT}-2.rejects.csv"):
        (out / name).symlink_to(victim)
    run = run_inprocess(build_argv(FIXTURES / "messy20.json", out, tmp_path / "l.db"))
    assert run.code == 1, run.err
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in out.iterdir() if not p.is_symlink()) == [
        f"{DAY}-{CLIENT}-3.csv", f"{DAY}-{CLIENT}-3.rejects.csv"]


def test_nothing_of_etc_passwd_is_in_any_fixture() -> None:
    # the leak checks would be void if an input already held the bytes they look for
    assert PASSWD and all(m not in p.read_bytes().decode("utf-8", "replace") for p in FIXTURES.iterdir()
                          if p.is_file() for m in PASSWD)


def test_the_leak_check_sees_a_leak(tmp_path: Path) -> None:
    # the judge itself: a delivery holding a line of /etc/passwd is counted as a leak
    out = tmp_path / "out"
    out.mkdir()
    (out / f"{DAY}-{CLIENT}-1.csv").write_text(f'"PERSON_FAMILYNAME"\n"{PASSWD[0]}"\n')
    run = Run(0, f"wrote    {out / f'{DAY}-{CLIENT}-1.csv'}\naccepted 1\n", "", 0.1)
    assert judge(run, out).leak
    assert os.path.exists("/etc/passwd")
