"""Summaries and reports: counts and top problems over a whole run, the --report file, and --redact."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from alphaimport import registry as _registry
from alphaimport.errors import OptionError, WriteError
from alphaimport.issues import CODES, COLUMNS, ERROR, INFO, WARNING
from alphaimport.validate import Result, joined_by_row, summary

REPORT_FORMATS = (".json", ".csv", ".html")
TOP_PROBLEMS = 10
FIRST_REJECTIONS = 10
MASK = "***"


def redact(issues: pd.DataFrame) -> pd.DataFrame:
    """The issues with the values and messages of personal fields masked; row, field and code kept."""
    names = {f.column for f in _registry.default().fields if f.personal}
    names |= {f.template for f in _registry.default().fields if f.personal}
    personal = issues["field"].isin(names)
    if not personal.any():
        return issues
    masked = issues.copy()
    masked.loc[personal, "value"] = masked.loc[personal, "value"].map(lambda v: MASK if v else v)
    masked.loc[personal, "message"] = masked.loc[personal, "code"].map(
        lambda code: f"{CODES[code].meaning} (value redacted)")
    return masked


@dataclass
class Tally:
    """Counts over all chunks of a run; the issues themselves only when a report needs them."""

    keep_issues: bool = False
    redact: bool = False
    records: int = 0
    rejected: int = 0
    levels: dict[str, int] = field(default_factory=lambda: {ERROR: 0, WARNING: 0, INFO: 0})
    problems: pd.Series = field(default_factory=lambda: pd.Series(dtype="int64"))
    kept: list[pd.DataFrame] = field(default_factory=list)
    first_rejections: list[tuple[int, str]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.records - self.rejected

    def add_result(self, result: Result) -> None:
        """Count one chunk's records and issues."""
        self.records += len(result.accepted) + len(result.rejected)
        self.rejected += len(result.rejected)
        self.add_issues(result.issues, count_info=False)
        self.levels[INFO] += result.summary["normalised"]  # counted even when their rows were not built
        wanted = FIRST_REJECTIONS - len(self.first_rejections)
        if wanted > 0 and len(result.rejected):
            # field and code only: the summary never prints a value (it may be personal data)
            errors = result.issues[result.issues["level"] == ERROR].dropna(subset=["row"])
            first = np.unique(errors["row"].astype(int).to_numpy())[:wanted]
            errors = errors[errors["row"].isin(first)]
            reasons = joined_by_row(errors["row"], errors["field"] + " " + errors["code"], ", ")
            self.first_rejections.extend((int(r), text) for r, text in reasons.items())

    def add_issues(self, issues: pd.DataFrame, count_info: bool = True) -> None:
        """Count issues (mapping and header issues have no record); ``count_info=False``: the caller
        counts the info rows."""
        if issues.empty:
            return
        for level, count in issues["level"].value_counts().items():
            if count_info or level != INFO:
                self.levels[str(level)] = self.levels.get(str(level), 0) + int(count)
        problems = issues[issues["level"] != INFO]
        counts = problems.groupby(["field", "code", "level"], sort=False).size()
        self.problems = counts if self.problems.empty else self.problems.add(counts, fill_value=0).astype("int64")
        if self.keep_issues:
            self.kept.append(redact(issues) if self.redact else issues)

    def summary(self) -> dict[str, Any]:
        """The run's summary as plain data (the --report file's "summary")."""
        return summary(self.records, self.rejected, self.levels, self.problems)

    def issues(self) -> pd.DataFrame:
        """Every kept issue, in one frame."""
        if not self.kept:
            return pd.DataFrame(columns=list(COLUMNS))
        return pd.concat(self.kept, ignore_index=True)


def check_report_path(path: Path) -> None:
    """OptionError unless the report's extension is one we write; WriteError when it cannot be written.

    Checked before anything is built: a build must not deliver and then fail on its report.
    """
    if path.suffix.lower() not in REPORT_FORMATS:
        raise OptionError(f"--report {path}: use a .json, .csv or .html file name")
    existed = path.exists()
    try:
        with open(path, "a", encoding="utf-8"):
            pass
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
        reason = getattr(exc, "strerror", None) or str(exc)
        raise WriteError(f"cannot write the report {str(path)!r}: {reason}") from None
    if not existed:
        path.unlink()


def write_report(path: Path, summary: dict[str, Any], issues: pd.DataFrame) -> None:
    """Write the issues and summary as JSON ({"summary", "issues"}), CSV (the issues) or HTML."""
    suffix = path.suffix.lower()
    table = issues[list(COLUMNS)].astype(object).where(issues[list(COLUMNS)].notna(), None)
    try:
        if suffix == ".json":
            document = {"summary": summary, "issues": table.to_dict(orient="records")}
            path.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=int) + "\n",
                            encoding="utf-8")
        elif suffix == ".csv":
            table.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
        else:
            head = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in summary.items() if k != "top_problems")
            body = table.to_html(index=False, escape=True, na_rep="")
            path.write_text(f"<!doctype html><meta charset=utf-8><title>alphaimport report</title>"
                            f"<table>{head}</table>{body}\n", encoding="utf-8")
    except OSError as exc:
        raise WriteError(f"cannot write the report {path}: {exc.strerror or exc}") from exc


def render_summary(summary: dict[str, Any], first_rejections: list[tuple[int, str]]) -> str:
    """The human summary printed after validate and build."""
    lines = [
        f"records read  {summary['records']:>9}",
        f"accepted      {summary['accepted']:>9}",
        f"rejected      {summary['rejected']:>9}",
        f"warnings      {summary['warnings']:>9}",
        f"normalised    {summary['normalised']:>9} values (info)",
    ]
    if summary["top_problems"]:
        lines += ["", "top problems:", f"  {'field':<32} {'code':<30} {'level':<8} {'count':>7}"]
        lines += [f"  {p['field']:<32} {p['code']:<30} {p['level']:<8} {p['count']:>7}"
                  for p in summary["top_problems"]]
    if first_rejections:
        lines += ["", "first rejected records:"]
        lines += [f"  row {row}: {reasons}" for row, reasons in first_rejections]
    return "\n".join(lines) + "\n"
