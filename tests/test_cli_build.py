"""`alphaimport validate` and `build` as a user runs them: summaries, files, exit codes, reports."""
from __future__ import annotations

import json
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
