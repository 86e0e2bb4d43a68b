"""The Frictionless Table Schema equivalent to what ``alphaimport validate`` checks, for the benchmark.

Generated from the field registry and the benchmark's mapping, so it cannot drift from either: one
``string`` field per ERP header (the raw file is validated, headers and all), with

- ``required`` for the fields the profile requires (the registry's matrix),
- ``maxLength`` from the registry's maximum length, for text fields (the limit of the other types is
  that of the normalised value: ``Nederland`` is delivered as ``NL``),
- ``unique`` for the identifier (alphaimport's ``duplicate-identifier``),
- ``pattern``: the shape of the input each field type accepts (``INPUT_PATTERNS``).

A Table Schema cannot normalise, so the pattern checks the *shape* of the messy input (a phone number
is digits, spaces, ``+-./()``), not that it is a real phone number, date or amount; and it cannot say
"at least one of CONTACT_PHONENUMBER_1..3". Frictionless therefore does strictly less work than
alphaimport on the same rows, which makes the comparison conservative.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from alphaimport import registry as _registry
from alphaimport.profile import Profile

# Regexes in Table Schema are implicitly anchored (Frictionless wraps them in ^...$).
_SPACE = r"[ \t]*"
INPUT_PATTERNS: dict[str, str] = {
    "phone": r"\+?[0-9 ()./\-]*[0-9][0-9 ()./\-]*",
    "date": r"[0-9]{1,4}[-/.][0-9]{1,2}[-/.][0-9]{1,4}([ T][0-9:.]+)?|[0-9]{8}|[0-9]{5}",
    "cents": _SPACE + r"(€ ?)?[0-9][0-9.,]*(,-)?" + _SPACE,
    "int": r"-?[0-9]+",
    "boolean": r"[01]|[Jj]a|[Nn]ee|[Yy]es|[Nn]o|[Tt]rue|[Ff]alse",
    "gender": r"[A-Za-z. ]{1,12}",
    "country": r"[A-Za-zÀ-ÿ .'\-]{2,60}",
    "currency": r"[A-Za-z€]{1,5}",
    "email": _SPACE + r"(mailto:)?[^@\s]+@[^@\s]+\.[^@\s]+" + _SPACE,
}


def table_schema(columns: Iterable[tuple[str, str]], profile: Profile) -> dict[str, Any]:
    """A Table Schema descriptor for ``columns`` ((header, field) pairs) under ``profile``."""
    registry = _registry.default()
    required = {c for r in profile.requirements() if len(r.columns) == 1 for c in r.columns}
    fields = []
    for header, column in columns:
        spec = registry.field(column)
        constraints: dict[str, Any] = {}
        if column in required:
            constraints["required"] = True
        if spec.max_length and spec.type == "text":
            constraints["maxLength"] = spec.max_length
        if spec.unique:
            constraints["unique"] = True
        if spec.type in INPUT_PATTERNS:
            constraints["pattern"] = INPUT_PATTERNS[spec.type]
        fields.append({"name": header, "type": "string", "constraints": constraints})
    return {"fields": fields, "missingValues": [""]}


def validate(path: str, columns: Iterable[tuple[str, str]], profile: Profile) -> tuple[int, int]:
    """Validate a ``;``-separated file with Frictionless (every error kept); returns (rows, errors)."""
    from frictionless import Dialect, Resource, Schema, formats

    file = Path(path).resolve()  # an absolute path is "not safe" to Frictionless: name it under its folder
    resource = Resource(file.name, basepath=str(file.parent),
                        schema=Schema.from_descriptor(table_schema(columns, profile)),
                        dialect=Dialect(controls=[formats.CsvControl(delimiter=";")]))
    report = resource.validate(limit_errors=10 ** 9)  # the default stops at 1,000 errors
    task = report.tasks[0]
    fatal = [e for e in task.errors if e.type in ("resource-error", "source-error", "scheme-error")]
    if fatal or "rows" not in task.stats:
        raise RuntimeError(f"frictionless could not read {path}: {fatal[0].message if fatal else task.stats}")
    return int(task.stats["rows"]), int(task.stats["errors"])
