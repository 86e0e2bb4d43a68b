"""Shared fixtures for the benchmark tools' tests: one small generated dump and alphaimport's verdict on it."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

import alphaimport as ai
from alphaimport.profile import Profile

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
MAPPING = BENCH / "erp_bench.yaml"
ROWS = 2000
sys.path.insert(0, str(BENCH))


@pytest.fixture(scope="session")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import generate

    return generate.write(tmp_path_factory.mktemp("bench") / "erp.csv", ROWS, seed=7)


@pytest.fixture(scope="session")
def raw(dump: Path):  # the file as alphaimport reads it (canonical columns, original values)
    return ai.read(dump, mapping=MAPPING)


@pytest.fixture(scope="session")
def result(raw) -> ai.Result:
    return ai.validate(raw, Profile("sms", "paylink"))
