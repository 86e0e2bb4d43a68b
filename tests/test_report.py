"""Summaries and reports: counts across chunks, report files, and --redact masking personal values."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from alphaimport import pipeline, report
from alphaimport.cli import main
from alphaimport.errors import WriteError
from alphaimport.issues import COLUMNS
from alphaimport.profile import Profile
from alphaimport.report import MASK, Tally, redact

REPO = Path(__file__).resolve().parents[1]
ERP = [str(REPO / "fixtures" / "erp_debiteuren.xlsx"), "--mapping", str(REPO / "fixtures" / "erp_debiteuren.yaml"),
       "--media", "sms", "--services", "paylink"]


def _issues(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["row", "field", "value", "code", "level", "message"])


def test_redact_masks_personal_fields_and_keeps_row_field_code() -> None:
    issues = _issues(
        (2, "CONTACT_PHONENUMBER_1", "06-1234", "invalid-phone", "error", "'06-1234' is not a valid phone number"),
        (2, "PERSON_FAMILYNAME", "Jansen\n", "normalised", "info", "Jansen\n -> Jansen"),
        (3, "CONTACT_PHONENUMBER_x", "", "required", "error", "no valid value in ..."),
        (3, "INVOICE_AMOUNT", "1.234", "ambiguous-amount", "error", "'1.234' can be read two ways"),
    )
    masked = redact(issues)
    assert masked[["row", "field", "code", "level"]].equals(issues[["row", "field", "code", "level"]])
    assert masked["value"].tolist() == [MASK, MASK, "", "1.234"]
    assert masked["message"].tolist()[:3] == [
        "Not a valid phone number (phonenumbers.is_valid_number). (value redacted)",
        "A value was rewritten to the platform's format (old -> new). (value redacted)",
        "A field the profile requires is missing or empty. (value redacted)"]
    assert masked["message"].iloc[3] == "'1.234' can be read two ways"  # an amount is not personal


def test_report_with_redact_holds_no_personal_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALPHAIMPORT_LEDGER", str(tmp_path / "l.db"))
    plain, masked = tmp_path / "plain.json", tmp_path / "masked.json"
    main(["validate", *ERP, "--report", str(plain), "--quiet"])
    main(["validate", *ERP, "--report", str(masked), "--redact", "--quiet"])
    plain_text, masked_text = plain.read_text(encoding="utf-8"), masked.read_text(encoding="utf-8")
    for personal in ("06-1234", "06-12345678", "31612345678", "SOPHIE.MEIJER", "03-04-1985", "1985-04-03"):
        assert personal in plain_text and personal not in masked_text
    assert json.loads(masked_text)["summary"] == json.loads(plain_text)["summary"]
    assert len(json.loads(masked_text)["issues"]) == len(json.loads(plain_text)["issues"])


def test_summary_never_prints_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ALPHAIMPORT_LEDGER", str(tmp_path / "l.db"))
    main(["validate", *ERP, "--quiet"])
    out = capsys.readouterr().out
    assert "row 12: CONTACT_PHONENUMBER_1 invalid-phone, CONTACT_PHONENUMBER_x required" in out
    assert "06-1234" not in out and "Mulder" not in out


@pytest.mark.parametrize("suffix", [".csv", ".html"])
def test_report_formats(tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALPHAIMPORT_LEDGER", str(tmp_path / "l.db"))
    report = tmp_path / f"r{suffix}"
    assert main(["validate", *ERP, "--report", str(report), "--quiet"]) == 1
    text = report.read_text(encoding="utf-8")
    assert "invalid-phone" in text and "duplicate-identifier" in text


def _write_whole(path: Path, summary: dict, issues: pd.DataFrame) -> None:
    """The report as it was written before the spool: the whole table at once (the reference)."""
    table = issues[list(COLUMNS)].astype(object).where(issues[list(COLUMNS)].notna(), None)
    if path.suffix == ".json":
        document = {"summary": summary, "issues": table.to_dict(orient="records")}
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=int) + "\n", encoding="utf-8")
    elif path.suffix == ".csv":
        table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
    else:
        head = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in summary.items() if k != "top_problems")
        path.write_text(f"<!doctype html><meta charset=utf-8><title>alphaimport report</title><table>{head}</table>"
                        f"{table.to_html(index=False, escape=True, na_rep='')}\n", encoding="utf-8")


def _run(tmp_path: Path, chunk_rows: int, redact: bool = False) -> pipeline.Outcome:
    job = pipeline.Job(source=REPO / "fixtures" / "erp_debiteuren.csv", profile=Profile("sms", "paylink"),
                       mapping=REPO / "fixtures" / "erp_debiteuren.yaml", ledger=tmp_path / f"{chunk_rows}.db",
                       today=dt.date(2026, 11, 22), chunk_rows=chunk_rows)
    return pipeline.run(job, keep_issues=True, redact=redact)


@pytest.mark.parametrize("suffix", [".json", ".csv", ".html"])
@pytest.mark.parametrize("redacted", [False, True])
def test_report_of_many_chunks_is_the_report_of_one_piece(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          suffix: str, redacted: bool) -> None:
    monkeypatch.setattr(report, "WRITE_ROWS", 4)  # and each chunk's issues written 4 rows at a time
    outcome = _run(tmp_path, chunk_rows=3, redact=redacted)
    assert len(outcome.tally.kept) == 11  # 30 records in 10 chunks, and the header issues
    summary = outcome.tally.summary()
    streamed, whole = tmp_path / f"streamed{suffix}", tmp_path / f"whole{suffix}"
    report.write_report(streamed, summary, outcome.tally.kept)
    _write_whole(whole, summary, outcome.tally.issues())
    assert streamed.read_bytes() == whole.read_bytes()
    one_chunk = _run(tmp_path, chunk_rows=10_000, redact=redacted)
    assert one_chunk.tally.summary() == summary
    report.write_report(tmp_path / f"one{suffix}", summary, one_chunk.tally.kept)
    if suffix == ".json":  # the same findings; the order differs (within a chunk: by rule, then row)
        rows = [json.loads(p.read_text(encoding="utf-8"))["issues"] for p in (streamed, tmp_path / "one.json")]
        assert sorted(map(str, rows[0])) == sorted(map(str, rows[1]))
        assert len(rows[0]) == 188
        assert ({MASK} <= {r["value"] for r in rows[0] if r["field"] == "CONTACT_PHONENUMBER_1"}) == redacted
    outcome.tally.close()
    assert len(outcome.tally.kept) == 0 and outcome.tally.issues().empty


def test_report_json_layout(tmp_path: Path) -> None:
    tally = Tally(keep_issues=True)
    tally.add_issues(_issues((2, "INVOICE_AMOUNT", "1.234", "ambiguous-amount", "error", "two ways")))
    tally.add_issues(_issues((None, "Opmerking", "", "unknown-column", "warning", "unknown \"column\"")))
    path = tmp_path / "r.json"
    report.write_report(path, {"records": 1}, tally.kept)
    assert path.read_text(encoding="utf-8") == (
        '{\n "summary": {\n  "records": 1\n },\n "issues": [\n'
        '  {\n   "row": 2,\n   "field": "INVOICE_AMOUNT",\n   "value": "1.234",\n   "code": "ambiguous-amount",\n'
        '   "level": "error",\n   "message": "two ways"\n  },\n'
        '  {\n   "row": null,\n   "field": "Opmerking",\n   "value": "",\n   "code": "unknown-column",\n'
        '   "level": "warning",\n   "message": "unknown \\"column\\""\n  }\n ]\n}\n')
    report.write_report(path, {"records": 0}, Tally(keep_issues=True).kept)
    assert path.read_text(encoding="utf-8") == '{\n "summary": {\n  "records": 0\n },\n "issues": []\n}\n'
    report.write_report(tmp_path / "r.csv", {}, Tally().kept)
    assert (tmp_path / "r.csv").read_text(encoding="utf-8") == "row,field,value,code,level,message\n"


def test_frames_of_different_dtypes_are_written_as_their_concatenation(tmp_path: Path) -> None:
    frames = [_issues((2, "A", "x", "required", "error", "m")),  # row int64
              _issues((None, "B", None, "required", "error", "n"), (3.5, "C", "y", "required", "warning", "o")),
              pd.DataFrame({c: pd.Series([None], dtype=object) for c in COLUMNS}),  # all missing
              _issues((7, "D", "q\"<>&,;\n", "too-long", "error", "p")).astype({"row": "Int64"})]
    for kept, row in ((frames, '"row": 2,'), (frames[:2], '"row": 2.0,')):  # object, or float64 rows
        spool = report.IssueSpool()
        for frame in kept:
            spool.add(frame)
        whole = pd.concat(kept, ignore_index=True)
        for suffix in (".json", ".csv", ".html"):
            report.write_report(tmp_path / f"streamed{suffix}", {"records": 4}, spool)
            _write_whole(tmp_path / f"whole{suffix}", {"records": 4}, whole)
            assert (tmp_path / f"streamed{suffix}").read_bytes() == (tmp_path / f"whole{suffix}").read_bytes()
        assert row in (tmp_path / "streamed.json").read_text(encoding="utf-8")  # as pandas concatenates
        spool.close()


def test_spool_keeps_lone_surrogates_and_dtypes() -> None:
    frame = pd.DataFrame({"row": pd.array([2, None], dtype="Int64"), "field": ["PERSON_FAMILYNAME", "X"],
                          "value": pd.Series(["Jan\ud800sen", None], dtype=object), "code": ["invalid-text"] * 2,
                          "level": ["error"] * 2, "message": pd.Series(["a \udcff b", "c"], dtype=object)})
    tally = Tally(keep_issues=True)
    tally.add_issues(frame)
    tally.add_issues(frame.iloc[:0])  # nothing to keep
    assert len(tally.kept) == 1
    pd.testing.assert_frame_equal(tally.issues(), frame)
    assert tally.issues()["value"].iloc[0] == "Jan\ud800sen"
    tally.close()


def _one_issue() -> pd.DataFrame:
    return _issues((2, "INVOICE_AMOUNT", "1.234", "ambiguous-amount", "error", "two ways"))


@pytest.mark.parametrize("suffix", [".json", ".csv", ".html"])
def test_every_report_is_recognised_as_a_report_and_nothing_else_is(tmp_path: Path, suffix: str) -> None:
    for name, issues in (("empty", Tally().kept), ("one", _one_issue())):
        path = tmp_path / f"{name}{suffix}"
        report.write_report(path, {}, issues)
        assert report.is_report(path)
    delivery = tmp_path / f"delivery{suffix}"
    delivery.write_bytes(b'"IDENTIFICATION_IDENTIFIER";"CONTROL_FLOWID"\n"1";"1001"\n')
    assert not report.is_report(delivery) and not report.is_report(tmp_path / f"missing{suffix}")
    (tmp_path / f"folder{suffix}").mkdir()
    assert not report.is_report(tmp_path / f"folder{suffix}")


@pytest.mark.parametrize("suffix", [".json", ".csv", ".html"])
def test_a_report_is_written_atomically(tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / f"r{suffix}"
    report.write_report(path, {"records": 1}, _one_issue())
    earlier = path.read_bytes()

    tables = report._tables

    def cut_off(frames: object, error: BaseException | None = None) -> object:
        yield next(tables(frames))  # the first rows written, then the disk is full
        raise error or OSError(28, "No space left on device")

    monkeypatch.setattr(report, "_tables", cut_off)
    later = _issues((3, "INVOICE_AMOUNT", "-5", "negative-amount", "error", "negative"))
    with pytest.raises(WriteError, match=f"^cannot write the report {path}: No space left on device$"):
        report.write_report(path, {"records": 2}, later)
    assert path.read_bytes() == earlier  # the earlier report, whole
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    monkeypatch.setattr(report, "_tables", lambda frames: cut_off(frames, KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        report.write_report(path, {"records": 2}, later)
    assert path.read_bytes() == earlier and [p.name for p in tmp_path.iterdir()] == [path.name]


def test_a_file_that_appears_during_the_run_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "out" / "issues.csv"
    assert report.check_report_path(path) == path  # free when checked; its folder made
    delivery = b'"IDENTIFICATION_IDENTIFIER";"CONTROL_FLOWID"\n"1";"1001"\n'
    path.write_bytes(delivery)  # another program's file, made while the run reads
    with pytest.raises(WriteError) as caught:
        report.write_report(path, {}, _one_issue())
    assert str(caught.value) == (f"cannot write the report {path}: {path} exists and is not an alphaimport "
                                 "report; it was not overwritten")
    assert path.read_bytes() == delivery and [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize("errno_", [1, 95])  # EPERM, EOPNOTSUPP: a file system without hard links
def test_a_report_is_written_where_files_cannot_be_linked(tmp_path: Path, errno_: int,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(*args: object) -> None:
        raise OSError(errno_, "Operation not permitted")

    monkeypatch.setattr("os.link", no_links)
    path = tmp_path / "r.json"
    report.write_report(path, {"records": 1}, _one_issue())
    report.write_report(path, {"records": 2}, _one_issue())  # a report is replaced
    assert json.loads(path.read_text(encoding="utf-8"))["summary"] == {"records": 2}
    other = tmp_path / "other.json"
    other.write_text("{}", encoding="utf-8")
    with pytest.raises(WriteError, match="exists and is not an alphaimport report; it was not overwritten$"):
        report.write_report(other, {}, _one_issue())
    assert other.read_text(encoding="utf-8") == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.json", "r.json"]


def test_a_report_made_read_only_is_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "r.csv"
    report.write_report(path, {}, _one_issue())
    earlier = path.read_bytes()
    path.chmod(0o444)
    # root may write any file: the check is os.access's, which answers as it would for its owner
    monkeypatch.setattr(report.os, "access", lambda p, mode: Path(p) != path)
    with pytest.raises(WriteError) as caught:
        report.check_report_path(path)
    assert str(caught.value) == f"cannot write the report '{path}': Permission denied"
    with pytest.raises(WriteError) as caught:
        report.write_report(path, {}, _issues((3, "INVOICE_AMOUNT", "-5", "negative-amount", "error", "negative")))
    assert str(caught.value) == f"cannot write the report {path}: Permission denied"
    assert path.read_bytes() == earlier and [p.name for p in tmp_path.iterdir()] == [path.name]
