"""The `alphaimport fields` table: every field with its type, length, API name and requirement."""
from __future__ import annotations

import csv
import io
import json
from typing import Any

from alphaimport import registry as _registry
from alphaimport.profile import Profile

FORMATS = ("table", "csv", "json", "markdown")
HEADERS = ("column", "required", "required_by", "type", "max_length", "repeat", "api", "description")


def rows(profile: Profile | None = None) -> list[dict[str, Any]]:
    """One dict per expanded field, in registry order; ``required`` is for the profile (False without)."""
    found = []
    for spec in _registry.default().fields:
        by = list(profile.required_by(spec.column)) if profile else []
        found.append({
            "column": spec.column,
            "required": bool(by),
            "required_by": by,
            # a repeated required field needs at least one of its columns
            "required_rule": ("at least one of " + spec.template.replace("_x", "_1.._3")) if by and spec.repeat > 1
            else ("required" if by else "optional"),
            "type": spec.type,
            "max_length": spec.max_length,
            "repeat": spec.repeat,
            "api": spec.api,
            "description": spec.description,
        })
    return found


def render(table: list[dict[str, Any]], fmt: str) -> str:
    """The table as text in one of FORMATS."""
    if fmt == "json":
        return json.dumps(table, indent=2, ensure_ascii=False) + "\n"
    cells = [[_cell(r, h) for h in HEADERS] for r in table]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADERS)
        writer.writerows(cells)
        return out.getvalue()
    if fmt == "markdown":
        lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        shown = HEADERS[:-1]  # the description makes the terminal table unreadable
        cells = [row[:-1] for row in cells]
        widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(shown)]
        line = "  ".join("{:<%d}" % w for w in widths)
        out_lines = [line.format(*shown).rstrip(), line.format(*("-" * w for w in widths))]
        out_lines += [line.format(*row).rstrip() for row in cells]
        return "\n".join(out_lines) + "\n"
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _cell(row: dict[str, Any], header: str) -> str:
    value = row[header]
    if header == "required":
        return row["required_rule"] if value else "optional"
    if isinstance(value, list):
        return ",".join(value)
    return "" if value is None else str(value)
