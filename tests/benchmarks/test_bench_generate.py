"""benchmarks/generate.py: seeded, realistic, and read by alphaimport with its mapping as intended."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

import alphaimport as ai
import generate  # benchmarks/ (conftest puts it on the path)

MAPPING = Path(generate.__file__).with_name("erp_bench.yaml")
ROWS = 2000  # as conftest's dump


@pytest.fixture(scope="module")
def first_block() -> pa.Table:
    return generate.block(7, 0)


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows(first_block: pa.Table) -> None:
    assert generate.block(7, 0).equals(first_block)
    assert generate.Block(8, 0, 100, 0).nl_mobile() != generate.Block(7, 0, 100, 0).nl_mobile()


def test_fewer_rows_are_the_head_of_more_rows(tmp_path: Path, dump: Path) -> None:
    more = generate.write(tmp_path / "more.csv", ROWS + 10, seed=7).read_bytes()
    assert more.startswith(dump.read_bytes())
    assert f"F2027-{ROWS + 10:07d}".encode() in more and more.endswith(b"\r\n")


def test_a_later_block_repeats_identifiers_from_earlier_blocks() -> None:
    later = generate.block(7, 3).column("Klantnummer").to_pylist()
    earlier = {int(i) for i in later if i and (int(i) - 10_000) // 7 < 3 * generate.BLOCK_ROWS}
    assert 0.002 * len(later) <= len(earlier) <= 0.01 * len(later)  # ~0.5%, pointing into blocks 0..2


def test_the_mapping_file_maps_exactly_the_generated_headers(raw: pd.DataFrame, dump: Path) -> None:
    assert pd.read_csv(dump, sep=";", nrows=0).columns.tolist() == list(generate.HEADERS)
    assert set(raw.columns) == {f for _, f in generate.COLUMNS} | set(raw.attrs["mapping"].constants)
    assert not raw.attrs["issues"]  # no unknown or unmapped column
    assert ai.read(dump, mapping=MAPPING).attrs["mapping"].units == {"INVOICE_AMOUNT": "euros", "INVOICE_TAX": "euros"}


def test_every_notation_is_present(first_block: pa.Table) -> None:
    table = first_block
    phones = pa.concat_arrays([table.column(c).combine_chunks() for c in ("Telefoon", "Mobiel")]).to_pylist()
    for pattern in (r"06-[1-5]\d{7}", r"06[1-5]\d{7}", r"\+31 6 \d{4} \d{4}", r"00316\d{8}", r"316\d{8}",
                    r"6[1-5]\d{7}", r"\+31 \(0\)6 \d{8}", r"0[1-57]\d-\d{7}", r"\+32 47\d \d\d \d\d \d\d",
                    r"\+49 1[57]\d \d{7,8}"):
        assert any(re.fullmatch(pattern, p) for p in phones), pattern
    amounts = table.column("Bedrag").to_pylist()
    for pattern in (r"\d{1,3}\.\d{3},\d\d", r"\d{1,3},\d{3}\.\d\d", r"\d+,00", r"\d+\.\d", r"€ .*", r".*,-"):
        assert any(re.fullmatch(pattern, a) for a in amounts), pattern
    dates = table.column("Vervaldatum").to_pylist()
    for pattern in (r"\d\d-\d\d-\d{4}", r"\d{4}-\d\d-\d\d", r"\d\d/\d\d/\d{4}", r"\d-\d-\d{4}"):
        assert any(re.fullmatch(pattern, d) for d in dates), pattern


def test_about_two_percent_of_each_kind_is_invalid_and_phones_are_mostly_distinct(result: ai.Result) -> None:
    issues = result.issues
    for field, code in (("CONTACT_PHONENUMBER_1", "invalid-phone"), ("INVOICE_DUEDATE", "invalid-date"),
                        ("INVOICE_AMOUNT", "invalid-amount"), ("CONTACT_EMAIL_1", "invalid-email")):
        share = ((issues["field"] == field) & (issues["level"] == "error")).sum() / ROWS
        assert 0.005 <= share <= 0.05, (field, share)
    duplicates = (issues["code"] == "duplicate-identifier").sum() / ROWS
    assert 0.003 <= duplicates <= 0.03  # each repeat rejects both records
    phones = result.accepted["CONTACT_PHONENUMBER_2"]
    phones = phones[phones != ""]
    assert phones.nunique() / len(phones) > 0.98
    assert 0.6 <= len(result.accepted) / ROWS <= 0.85  # 2% of each of ~15 kinds rejects about a quarter
