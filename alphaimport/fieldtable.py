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
    """One dict per expanded field, in registry order. With a profile, ``required`` and ``required_by``
    are the profile's; without one, ``required_by`` is every medium and service that requires the field
    (the guide's matrix) and ``required`` is True when all of them do."""
    registry = _registry.default()
    everything = registry.media + registry.services
    found = []
    for spec in registry.fields:
        if profile is not None:
            by = list(profile.required_by(spec.column))
            required = bool(by)
        else:
            by = [name for name in everything if name in spec.required_by]
            required = len(by) == len(everything)
        found.append({
            "column": spec.column,
            "required": required,
            "required_by": by,
            "required_rule": _rule(spec, required, bool(by)),
            "type": spec.type,
            "max_length": spec.max_length,
            "repeat": spec.repeat,
            "api": spec.api,
            "description": spec.description,
        })
    return found


def _rule(spec: _registry.FieldSpec, required: bool, by_some: bool) -> str:
    if required:  # a repeated required field needs at least one of its columns
        return ("at least one of " + spec.template.replace("_x", "_1.._3")) if spec.repeat > 1 else "required"
    return "by some profiles" if by_some else "optional"


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
        return row["required_rule"]
    if isinstance(value, list):
        return ",".join(value)
    return "" if value is None else str(value)
