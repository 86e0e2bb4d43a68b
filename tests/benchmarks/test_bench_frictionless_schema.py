"""benchmarks/frictionless_schema.py: the Table Schema says what the registry says, and refuses no value
alphaimport accepts (so the Frictionless comparison checks the same rows for the same things)."""
from __future__ import annotations

import re

import pandas as pd

import alphaimport as ai
import frictionless_schema  # benchmarks/ (conftest puts it on the path)
import generate
from alphaimport import registry
from alphaimport.profile import Profile

PROFILE = Profile("sms", "paylink")


def test_the_schema_is_the_registry_for_the_profile() -> None:
    schema = frictionless_schema.table_schema(generate.COLUMNS, PROFILE)
    assert [f["name"] for f in schema["fields"]] == list(generate.HEADERS)
    required = {c for r in PROFILE.requirements() if len(r.columns) == 1 for c in r.columns}
    for (header, column), field in zip(generate.COLUMNS, schema["fields"]):
        spec = registry.default().field(column)
        constraints = field["constraints"]
        assert field["type"] == "string"
        assert constraints.get("required", False) == (column in required), header
        assert constraints.get("maxLength") == (spec.max_length if spec.type == "text" else None), header
        assert constraints.get("unique", False) == spec.unique, header
        assert ("pattern" in constraints) == (spec.type != "text"), header


def test_every_value_alphaimport_accepts_matches_its_pattern(raw: pd.DataFrame, result: ai.Result) -> None:
    errors = result.issues[result.issues["level"] == "error"]
    for header, column in generate.COLUMNS:
        pattern = frictionless_schema.INPUT_PATTERNS.get(registry.default().field(column).type)
        if pattern is None:
            continue
        refused = set(errors.loc[errors["field"] == column, "row"].astype(int))
        values = raw[column][~raw.index.isin(refused) & (raw[column] != "")]
        unmatched = [v for v in values if not re.fullmatch(pattern, v)]
        assert not unmatched, (header, unmatched[:5])


def test_frictionless_reads_the_dump_and_finds_the_repeated_identifiers(dump) -> None:
    rows, errors = frictionless_schema.validate(str(dump), generate.COLUMNS, PROFILE)
    assert rows == 2000
    assert 0 < errors < rows
