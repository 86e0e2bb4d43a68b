"""Summaries and reports: counts across chunks, report files, and --redact masking personal values."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from alphaimport.cli import main
from alphaimport.report import MASK, redact

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
