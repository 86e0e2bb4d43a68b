"""`alphaimport validate` and `build` as a user runs them: summaries, files, exit codes, reports."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from alphaimport.cli import main

REPO = Path(__file__).resolve().parents[1]
ERP = REPO / "fixtures" / "erp_debiteuren.xlsx"
ERP_MAP = REPO / "fixtures" / "erp_debiteuren.yaml"
PROFILE = ["--media", "sms", "--services", "paylink"]


@pytest.fixture(autouse=True)
def _ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ledger.sqlite3"
    monkeypatch.setenv("ALPHAIMPORT_LEDGER", str(path))
    return path


def _build(tmp_path: Path, *extra: str) -> int:
    return main(["build", str(ERP), "--mapping", str(ERP_MAP), *PROFILE, "--client", "1001",
                 "--out-dir", str(tmp_path / "out"), "--date", "20261122", "--quiet", *extra])


def test_build_writes_delivery_and_rejects_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _build(tmp_path) == 1
    out = capsys.readouterr().out
    assert re.search(r"records read\s+30\naccepted\s+24\nrejected\s+6\n", out)
    assert f"wrote    {tmp_path / 'out' / '20261122-1001-1.csv'}" in out
    assert f"wrote    {tmp_path / 'out' / '20261122-1001-1.rejects.csv'}" in out
    delivery = pd.read_csv(tmp_path / "out" / "20261122-1001-1.csv", sep=";", dtype=str, keep_default_na=False)
    rejects = pd.read_csv(tmp_path / "out" / "20261122-1001-1.rejects.csv", sep=";", dtype=str,
                          keep_default_na=False)
    assert len(delivery) + len(rejects) == 30
    assert delivery["CONTROL_FLOWID"].unique().tolist() == ["1001"]
    assert rejects["row"].tolist() == ["11", "12", "13", "16", "19", "31"]
    assert all(rejects["reasons"].str.len() > 0)


def test_build_twice_gets_the_next_number_and_warns_about_history(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    _build(tmp_path)
    capsys.readouterr()
    assert _build(tmp_path) == 1
    out = capsys.readouterr().out
    assert "20261122-1001-2.csv" in out
    assert re.search(r"IDENTIFICATION_IDENTIFIER\s+identifier-delivered-before\s+warning\s+24", out)


def test_strict_writes_nothing_when_a_record_is_rejected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _build(tmp_path, "--strict") == 1
    assert "nothing written: --strict" in capsys.readouterr().out
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("fmt", ["xml", "xlsx", "ods"])
def test_build_other_formats(tmp_path: Path, fmt: str) -> None:
    assert _build(tmp_path, "--format", fmt) == 1
    assert {p.name for p in (tmp_path / "out").iterdir()} == {
        f"20261122-1001-1.{fmt}", "20261122-1001-1.rejects.csv"}


def test_validate_report_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.json"
    assert main(["validate", str(ERP), "--mapping", str(ERP_MAP), *PROFILE, "--report", str(report)]) == 1
    document = json.loads(report.read_text(encoding="utf-8"))
    assert document["summary"]["records"] == 30 and document["summary"]["rejected"] == 6
    assert set(document["issues"][0]) == {"row", "field", "value", "code", "level", "message"}
    codes = {i["code"] for i in document["issues"]}
    assert {"normalised", "invalid-phone", "duplicate-identifier", "unknown-column", "required"} <= codes
    assert not list(tmp_path.glob("*.csv"))  # validate writes no delivery


def test_validate_report_csv(tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    main(["validate", str(ERP), "--mapping", str(ERP_MAP), *PROFILE, "--report", str(report)])
    table = pd.read_csv(report, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["row", "field", "value", "code", "level", "message"]
    assert "06-1234" in table[table["code"] == "invalid-phone"]["value"].tolist()


def test_all_accepted_is_exit_0(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text('"IDENTIFICATION_IDENTIFIER";"CONTACT_PHONENUMBER_1";"CONTROL_FLOWID"\n'
                    '"A1";"0612345678";"1001"\n', encoding="utf-8")
    assert main(["validate", str(path), "--media", "sms"]) == 0


@pytest.mark.parametrize("argv, message", [
    (["validate", "missing.csv", "--media", "sms"], "missing.csv"),
    (["validate", str(ERP), "--media", "fax"], "unknown medium fax"),
    (["validate", str(ERP), "--media", "sms", "--report", "r.txt"], "use a .json, .csv or .html"),
    (["build", str(ERP), "--media", "sms", "--client", "../x"], "client code '../x' must be 1 to 32"),
    (["build", str(ERP), "--media", "sms", "--client", "1001", "--date", "2026-11-22"], "is not a date"),
    (["validate", str(ERP), "--media", "sms", "--mapping", str(REPO / "fixtures" / "mapping_yaml_error.yaml")],
     "mapping_yaml_error.yaml"),
])
def test_bad_input_is_one_line_and_exit_2(argv: list[str], message: str, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("alphaimport: error: ") and err.count("\n") == 1 and message in err
    assert "Traceback" not in err


def test_subprocess_build_prints_summary_and_no_traceback(tmp_path: Path, _ledger: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "alphaimport", "build", str(ERP), "--mapping", str(ERP_MAP), *PROFILE,
         "--client", "1001", "--out-dir", str(tmp_path / "out")],
        capture_output=True, text=True, env={"ALPHAIMPORT_LEDGER": str(_ledger), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 1, done.stderr
    assert "accepted" in done.stdout and done.stderr == ""  # not a terminal: no progress bar


def test_readme_library_example_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code = readme.split("## The library", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    shutil.copytree(REPO / "fixtures", tmp_path / "fixtures")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {}
    exec(compile(code, "README.md", "exec"), namespace)
    path = namespace["path"]
    assert isinstance(path, Path) and path.exists() and path.resolve().parent == (tmp_path / "out").resolve()
    assert namespace["result"].summary["accepted"] == 24  # type: ignore[attr-defined]


def test_readme_lists_every_issue_code() -> None:
    from alphaimport.issues import codes_markdown

    assert codes_markdown() in (REPO / "README.md").read_text(encoding="utf-8")


def test_a_header_only_file_writes_nothing_and_issues_no_name(tmp_path: Path, _ledger: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    from alphaimport.ledger import Ledger

    path = tmp_path / "header_only.csv"
    path.write_text('"IDENTIFICATION_IDENTIFIER";"CONTACT_PHONENUMBER_1"\n', encoding="utf-8")
    assert main(["build", str(path), "--media", "sms", "--client", "1001", "--out-dir", str(tmp_path / "o")]) == 0
    assert "nothing written: no records" in capsys.readouterr().out
    assert list((tmp_path / "o").iterdir()) == []
    with Ledger(_ledger) as ledger:
        assert ledger.deliveries() == []


def test_phone_countries_allow_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "phones.csv"
    path.write_text('"IDENTIFICATION_IDENTIFIER";"CONTACT_PHONENUMBER_1";"CONTROL_FLOWID"\n'
                    '"A1";"0612345678";"1001"\n"A2";"+32 470 12 34 56";"1001"\n', encoding="utf-8")
    assert main(["validate", str(path), "--media", "sms", "--quiet"]) == 0
    assert main(["validate", str(path), "--media", "sms", "--phone-countries", "nl", "--quiet"]) == 1
    assert "row 3: CONTACT_PHONENUMBER_1 phone-country-not-allowed" in capsys.readouterr().out
    assert main(["validate", str(path), "--media", "sms", "--phone-countries", "XX"]) == 2


def test_a_closed_pipe_on_stdout_is_no_error(tmp_path: Path, _ledger: Path) -> None:
    # `alphaimport build ... | head -3`: the files are written and the exit status is the run's
    script = (f"import sys; sys.argv = ['alphaimport', 'build', {str(ERP)!r}, '--mapping', {str(ERP_MAP)!r}, "
              f"'--media', 'sms', '--services', 'paylink', '--client', '1001', '--out-dir', "
              f"{str(tmp_path / 'out')!r}, '--report', {str(tmp_path / 'r.json')!r}]\n"
              "from alphaimport.cli import main; raise SystemExit(main())")
    # `true` exits without reading: every write to stdout meets a closed pipe
    done = subprocess.run(f"set -o pipefail; {sys.executable} -c \"{script}\" | true", shell=True,
                          executable="/bin/bash", capture_output=True, text=True,
                          env={"ALPHAIMPORT_LEDGER": str(_ledger), "PATH": "/usr/bin:/bin"})
    assert done.stderr == "" and done.returncode == 1  # 1: the ERP export has rejected records
    assert len(list((tmp_path / "out").iterdir())) == 2 and (tmp_path / "r.json").exists()


@pytest.mark.parametrize("value", ["0", "two", "65"])
def test_workers_must_be_a_number_of_processes(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ERP), "--media", "sms", "--workers", value]) == 2
    assert f"'{value}' is not a number of processes from 1 to 64" in capsys.readouterr().err


def test_workers_do_not_change_the_files(tmp_path: Path) -> None:
    assert _build(tmp_path / "one", "--workers", "1", "--ledger", str(tmp_path / "one.sqlite3")) == 1
    assert _build(tmp_path / "two", "--workers", "2", "--ledger", str(tmp_path / "two.sqlite3")) == 1
    one, two = sorted((tmp_path / "one" / "out").iterdir()), sorted((tmp_path / "two" / "out").iterdir())
    assert [p.name for p in one] == [p.name for p in two] and len(one) == 2
    assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]


def _jemalloc_available() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        return False
    return True


def test_the_command_line_uses_jemalloc_unless_the_environment_chooses(monkeypatch: pytest.MonkeyPatch) -> None:
    before = pa.default_memory_pool()
    argv = ["validate", str(ERP), "--mapping", str(ERP_MAP), "--media", "sms", "--quiet"]
    try:
        pa.set_memory_pool(pa.system_memory_pool())
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
        assert main(argv) == 1
        assert pa.default_memory_pool().backend_name == "system"
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL")
        assert main(argv) == 1
        assert pa.default_memory_pool().backend_name == ("jemalloc" if _jemalloc_available() else "system")
    finally:
        pa.set_memory_pool(before)


def test_a_report_inside_the_new_out_dir_gets_its_folder_made(tmp_path: Path) -> None:
    assert _build(tmp_path, "--report", str(tmp_path / "out" / "reports" / "issues.json")) == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "20261122-1001-1.csv", "20261122-1001-1.rejects.csv", "reports"]
    assert json.loads((tmp_path / "out" / "reports" / "issues.json").read_text())["summary"]["rejected"] == 6


def test_a_report_that_cannot_be_written_stops_the_build_before_anything_is_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("")
    assert _build(tmp_path, "--report", str(tmp_path / "file" / "issues.json")) == 2
    assert "cannot write the report" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# --report is written like every other output: never over the input, never under a delivery's or rejects
# file's name, over an existing file only when that file is a report of an earlier run (README, Decisions)

ERP_CSV = REPO / "fixtures" / "erp_debiteuren.csv"


def _no_run(*args: object, **kwargs: object) -> None:
    raise AssertionError("the input was read: the report's path must be refused before")


@pytest.mark.parametrize("command", ["validate", "build"])
@pytest.mark.parametrize("link", ["same", "symlink", "hardlink", "dotted"])
def test_a_report_over_the_input_file_is_refused_before_anything_is_read(
        tmp_path: Path, command: str, link: str, _ledger: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    source = tmp_path / "debiteuren.csv"
    shutil.copyfile(ERP_CSV, source)
    report = {"same": source, "symlink": tmp_path / "link.csv", "hardlink": tmp_path / "hard.csv",
              "dotted": tmp_path / "out" / ".." / "debiteuren.csv"}[link]
    if link == "symlink":
        report.symlink_to(source.name)
    elif link == "hardlink":
        os.link(source, report)
    monkeypatch.setattr("alphaimport.pipeline.run", _no_run)
    extra = ["--client", "1001", "--out-dir", str(tmp_path / "out")] if command == "build" else []
    assert main([command, str(source), "--mapping", str(ERP_MAP), *PROFILE, "--quiet", *extra,
                 "--report", str(report)]) == 2
    assert capsys.readouterr() == ("", (f"alphaimport: error: --report {report} is the input file: "
                                        "a report is never written over it\n"))
    assert source.read_bytes() == ERP_CSV.read_bytes()
    assert not (tmp_path / "out").exists() and not _ledger.exists()


def test_a_report_over_the_mapping_file_the_ledger_or_the_output_folder_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    mapping = tmp_path / "map.json"  # YAML reads JSON: a mapping may have a report's extension
    mapping.write_text('{"columns": {"Klantnummer": "IDENTIFICATION_IDENTIFIER"}}', encoding="utf-8")
    assert main(["validate", str(ERP_CSV), "--mapping", str(mapping), "--media", "sms",
                 "--report", str(mapping)]) == 2
    assert capsys.readouterr().err == (f"alphaimport: error: --report {mapping} is the mapping file: "
                                       "a report is never written over it\n")
    ledger = tmp_path / "ledger.json"  # not made yet: the run would make it
    assert main(["validate", str(ERP_CSV), "--mapping", str(ERP_MAP), "--media", "sms", "--ledger", str(ledger),
                 "--report", str(ledger)]) == 2
    assert capsys.readouterr().err == (f"alphaimport: error: --report {ledger} is the ledger: "
                                       "a report is never written over it\n")
    assert not ledger.exists()
    folder = tmp_path / "out.json"  # not made yet: the build would make it
    assert _build(tmp_path, "--out-dir", str(folder), "--report", str(folder)) == 2
    assert capsys.readouterr().err == (f"alphaimport: error: --report {folder} is the output folder: "
                                       "a report is never written over it\n")
    assert not folder.exists()


DELIVERY_NAME_REFUSED = (": a report never takes the name of a delivery or rejects file (YYYYMMDD-CLIENT-N.csv, "
                         "YYYYMMDD-CLIENT-N.rejects.csv)\n")
NOT_A_REPORT = (" already exists and is not an alphaimport report: it is never overwritten (remove it or choose "
                "another name)\n")


@pytest.mark.parametrize("name", ["20261122-1001-1.csv", "20261122-1001-1.rejects.csv"])
def test_a_report_under_the_name_the_build_is_about_to_write_is_refused(
        tmp_path: Path, name: str, _ledger: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from alphaimport.ledger import Ledger

    report = tmp_path / "out" / name  # the delivery (or rejects file) this build would write
    assert _build(tmp_path, "--report", str(report)) == 2
    assert capsys.readouterr() == ("", f"alphaimport: error: --report {report}{DELIVERY_NAME_REFUSED}")
    assert not (tmp_path / "out").exists()
    with Ledger(_ledger) as ledger:
        assert ledger.deliveries() == []  # no name reserved, nothing recorded as delivered


def test_a_delivered_file_keeps_its_delivery(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _build(tmp_path) == 1
    out = tmp_path / "out"
    delivery, rejects = out / "20261122-1001-1.csv", out / "20261122-1001-1.rejects.csv"
    before = {p: p.read_bytes() for p in (delivery, rejects)}
    (out / "latest.csv").symlink_to(delivery.name)  # a link to the delivery
    (out / "notes.csv").write_bytes(before[delivery])  # a copy of it under another name
    capsys.readouterr()
    for report, message in ((delivery, DELIVERY_NAME_REFUSED), (rejects, DELIVERY_NAME_REFUSED),
                            (out / "20261122-1001-2.csv", DELIVERY_NAME_REFUSED),  # the next build's name
                            (out / "latest.csv", DELIVERY_NAME_REFUSED), (out / "notes.csv", NOT_A_REPORT)):
        assert _build(tmp_path, "--report", str(report)) == 2
        assert capsys.readouterr() == ("", f"alphaimport: error: --report {report}{message}")
    assert {p: p.read_bytes() for p in (delivery, rejects)} == before
    assert (out / "notes.csv").read_bytes() == before[delivery]
    assert sorted(p.name for p in out.iterdir()) == [delivery.name, rejects.name, "latest.csv", "notes.csv"]
    # a report beside the deliveries: the second build's delivery is a delivery, the report a report
    assert _build(tmp_path, "--report", str(out / "issues.csv")) == 1
    assert {p: p.read_bytes() for p in (delivery, rejects)} == before
    second = pd.read_csv(out / "20261122-1001-2.csv", sep=";", dtype=str, keep_default_na=False)
    assert len(second) == 24 and second["CONTROL_FLOWID"].unique().tolist() == ["1001"]
    assert second.columns[0] == "IDENTIFICATION_IDENTIFIER"
    assert (out / "issues.csv").read_text(encoding="utf-8").startswith("row,field,value,code,level,message\n")


@pytest.mark.parametrize("suffix", [".json", ".csv", ".html"])
def test_running_again_replaces_the_report_of_the_earlier_run(tmp_path: Path, suffix: str) -> None:
    report = tmp_path / "reports" / f"issues{suffix}"
    argv = ["validate", str(ERP), "--mapping", str(ERP_MAP), *PROFILE, "--quiet", "--report", str(report)]
    assert main(argv) == 1
    first = report.read_text(encoding="utf-8")
    report.chmod(0o600)  # a report holds personal data: its owner may have closed it
    assert main([*argv, "--redact"]) == 1
    second = report.read_text(encoding="utf-8")
    assert "06-1234" in first and "06-1234" not in second and "***" in second
    assert report.stat().st_mode & 0o777 == 0o600
    assert [p.name for p in report.parent.iterdir()] == [report.name]  # no temporary file left
    link = tmp_path / f"latest{suffix}"  # a link to a report: the report it leads to is replaced
    link.symlink_to(report)
    assert main([*argv[:-1], str(link)]) == 1
    assert link.is_symlink() and report.read_text(encoding="utf-8") == first


@pytest.mark.parametrize("content", [b"", b"Klantnummer;Achternaam\n00101;Jansen\n",
                                     b'"row";"IDENTIFICATION_IDENTIFIER";"reasons"\n'])
def test_an_existing_file_that_is_not_a_report_is_never_overwritten(
        tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    other = tmp_path / "klanten.csv"
    other.write_bytes(content)
    assert main(["validate", str(ERP), "--mapping", str(ERP_MAP), *PROFILE, "--report", str(other)]) == 2
    assert capsys.readouterr() == ("", f"alphaimport: error: --report {other}{NOT_A_REPORT}")
    assert other.read_bytes() == content


@pytest.mark.parametrize(("argv", "message"), [
    (["build", "x.csv", "--client", "1", "--media", "sms", "--format", "xls"],
     "alphaimport: error: argument --format: invalid choice: 'xls' (choose from 'csv', 'xml', 'xlsx', 'ods'); "
     "see `alphaimport build --help`"),
    (["frobnicate"], "alphaimport: error: argument COMMAND: invalid choice: 'frobnicate' (choose from 'fields', "
                     "'schemas', 'validate', 'build', 'codes'); see `alphaimport --help`"),
    (["validate"], "alphaimport: error: the following arguments are required: input; see `alphaimport validate --help`"),
    (["validate", str(ERP), "--media", "sms", "--phone-countries", ","],
     "alphaimport: error: --phone-countries ',' names no country (ISO 3166-1 codes, e.g. NL,BE)"),
])
def test_a_bad_option_is_one_line_and_exit_2(argv: list[str], message: str,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", message + "\n")
