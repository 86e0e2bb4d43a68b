"""The streaming pipeline: the verdict does not depend on the chunk size, duplicate identifiers are found
across chunks, and every delivered identifier reaches the ledger."""
from __future__ import annotations

import concurrent.futures.process
import datetime as dt
import os
from pathlib import Path

import pandas as pd
import pytest

from alphaimport import duplicates, pipeline
from alphaimport.ledger import Ledger
from alphaimport.profile import Profile

REPO = Path(__file__).resolve().parents[1]
ERP, ERP_MAP = REPO / "fixtures" / "erp_debiteuren.csv", REPO / "fixtures" / "erp_debiteuren.yaml"
TODAY = dt.date(2026, 11, 22)


def _records(identifiers: list[str]) -> pd.DataFrame:
    n = len(identifiers)
    return pd.DataFrame({
        "IDENTIFICATION_IDENTIFIER": identifiers, "PERSON_FAMILYNAME": ["Jansen"] * n,
        "CONTACT_PHONENUMBER_1": [f"06-{12345600 + i}" for i in range(n)], "CONTROL_FLOWID": ["1001"] * n,
    })


def _build(tmp_path: Path, source: object, chunk_rows: int, mapping: Path | None = None, name: str = "out",
           workers: int = 1) -> tuple[pipeline.Outcome, pd.DataFrame, pd.DataFrame]:
    job = pipeline.Job(source=source, profile=Profile("sms"), mapping=mapping, client="1001",
                       out_dir=tmp_path / name, day="20261122", ledger=tmp_path / f"{name}.sqlite3",
                       today=TODAY, chunk_rows=chunk_rows, workers=workers)
    outcome = pipeline.run(job, keep_issues=True)
    read = [pd.read_csv(p, sep=";", dtype=str, keep_default_na=False) for p in outcome.written]
    return outcome, read[0], read[1] if len(read) > 1 else pd.DataFrame()


@pytest.mark.parametrize("chunk_rows", [1, 3, 7])
def test_chunks_give_the_verdict_of_one_chunk(tmp_path: Path, chunk_rows: int) -> None:
    whole, delivered, rejects = _build(tmp_path, ERP, 10_000, ERP_MAP, "whole")
    chunked, delivered_chunked, rejects_chunked = _build(tmp_path, ERP, chunk_rows, ERP_MAP, "chunked")
    pd.testing.assert_frame_equal(delivered_chunked, delivered)
    pd.testing.assert_frame_equal(rejects_chunked, rejects)
    columns = ["row", "field", "code", "level", "message"]
    pd.testing.assert_frame_equal(
        chunked.tally.issues()[columns].sort_values(columns, ignore_index=True),
        whole.tally.issues()[columns].sort_values(columns, ignore_index=True))


def test_worker_processes_give_the_same_files_and_issues_as_one_process(tmp_path: Path) -> None:
    one, *_ = _build(tmp_path, ERP, 4, ERP_MAP, "one")
    two, *_ = _build(tmp_path, ERP, 4, ERP_MAP, "two", workers=2)
    assert len(one.written) == 2
    assert [p.read_bytes() for p in two.written] == [p.read_bytes() for p in one.written]
    pd.testing.assert_frame_equal(two.tally.issues(), one.tally.issues())
    assert two.tally.summary() == one.tally.summary()


def test_a_worker_error_reaches_the_caller_and_nothing_is_delivered(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug in validate")

    monkeypatch.setattr(pipeline, "validate", broken)  # forked workers inherit the patched module
    with pytest.raises(RuntimeError, match="a bug in validate"):
        _build(tmp_path, ERP, 4, ERP_MAP, "broken", workers=2)
    assert list((tmp_path / "broken").iterdir()) == []


def test_a_worker_that_dies_stops_the_run_with_an_error_and_nothing_is_delivered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    main, real = os.getpid(), pipeline.validate

    def dying(*args: object, **kwargs: object) -> object:
        if os.getpid() != main:
            os._exit(3)  # a worker killed (out of memory, a crash in a library)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "validate", dying)
    with pytest.raises(concurrent.futures.process.BrokenProcessPool):  # before: waited forever
        _build(tmp_path, ERP, 4, ERP_MAP, "dead", workers=2)
    assert list((tmp_path / "dead").iterdir()) == []


class _Later:
    """A fake pool's pending verdict: ready only when the test says so."""

    def __init__(self, result: object) -> None:
        self.value, self.finished = result, False

    def done(self) -> bool:
        return self.finished

    def result(self) -> object:
        self.finished = True
        return self.value


class _FakePool:
    def __init__(self) -> None:
        self.sent: list[int] = []

    def submit(self, judge: object, task: _Task) -> _Later:
        self.sent.append(task.number)
        return _Later(task())


class _Task:
    def __init__(self, number: int, judged_here: list[int]) -> None:
        self.number, self.chunk, self._judged_here = number, [None] * number, judged_here

    def __call__(self) -> pipeline.Result:
        self._judged_here.append(self.number)
        return pipeline.Result(pd.DataFrame({"n": [self.number]}), pd.DataFrame(), pd.DataFrame())


def test_with_two_workers_this_process_judges_the_chunks_the_pool_has_no_room_for() -> None:
    pool, judged_here = _FakePool(), []
    tasks = [_Task(n, judged_here) for n in range(1, 8)]
    verdicts = list(pipeline._verdicts(iter(tasks), pool, workers=2))
    assert [records for records, _ in verdicts] == [1, 2, 3, 4, 5, 6, 7]  # input order, whoever judged
    assert [int(result.accepted["n"][0]) for _, result in verdicts] == [1, 2, 3, 4, 5, 6, 7]
    # at most two waiting in the pool (which here finishes a chunk only when asked): the 3rd and 6th are
    # judged here, each while the pool has two
    assert pool.sent == [1, 2, 4, 5, 7]
    assert [n for n in judged_here if n not in pool.sent] == [3, 6]


@pytest.mark.parametrize("block", [None, 3])  # the duplicate pass's table in one block, or in several
def test_identifiers_shared_across_chunks_reject_every_record_holding_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int | None) -> None:
    if block:
        monkeypatch.setattr(duplicates.HashTable, "_BLOCK", block)
    frame = _records(["A1", "B2", "C3", "A1", "D4", "E5", "B2", "F6", "A1", "ÿ\u20ac7"])
    outcome, delivered, rejects = _build(tmp_path, frame, chunk_rows=3)
    assert rejects["row"].tolist() == ["1", "2", "4", "7", "9"]
    assert delivered["IDENTIFICATION_IDENTIFIER"].tolist() == ["C3", "D4", "E5", "F6", "ÿ\u20ac7"]
    messages = outcome.tally.issues().query("code == 'duplicate-identifier'").set_index("row")["message"]
    assert messages[1].startswith("identifier A1 is also on row 4, 9;")
    assert messages[7].startswith("identifier B2 is also on row 2;")


def test_identifiers_equal_once_trimmed_are_shared_across_chunks_as_within_one(tmp_path: Path) -> None:
    # the delivery holds the trimmed identifier: ' A1' and 'A1 ' would be the same job on the platform
    frame = _records(["A1", "B2", "C3", " A1", "D4", "E5", "B2\u00a0", "F6", "A1 "])
    chunked, delivered, rejects = _build(tmp_path, frame, chunk_rows=3, name="chunked")
    whole, delivered_whole, rejects_whole = _build(tmp_path, frame, chunk_rows=100, name="whole")
    assert rejects["row"].tolist() == rejects_whole["row"].tolist() == ["1", "2", "4", "7", "9"]
    assert delivered["IDENTIFICATION_IDENTIFIER"].tolist() == ["C3", "D4", "E5", "F6"]
    messages = chunked.tally.issues().query("code == 'duplicate-identifier'").set_index("row")["message"]
    assert messages[4].startswith("identifier A1 is also on row 1, 9;")
    assert messages[7].startswith("identifier B2 is also on row 2;")


def test_an_identifier_delivered_before_is_found_whatever_white_space_surrounds_it(tmp_path: Path) -> None:
    _build(tmp_path, _records(["K1", "K2", "K3", "K4"]), chunk_rows=2)
    again, delivered, _ = _build(tmp_path, _records([" K1", "K9", "K3 ", "K8"]), chunk_rows=2)
    assert delivered["IDENTIFICATION_IDENTIFIER"].tolist() == ["K1", "K9", "K3", "K8"]
    warned = again.tally.issues().query("code == 'identifier-delivered-before'")
    assert warned["row"].tolist() == [1, 3]
    assert warned["message"].str.startswith("identifier K1 was delivered before in 20261122-1001-1.csv").tolist() \
        == [True, False]


def test_whole_amounts_in_a_chunk_are_mixed_when_another_chunk_holds_amounts_in_euros(tmp_path: Path) -> None:
    # no unit declared: a column holding '12,50' anywhere makes every whole number ambiguous (cents or euros?)
    frame = _records([f"K{i}" for i in range(7)]).assign(
        INVOICE_AMOUNT=["1500", "1500", "0", "", "12,50", "1500", "7"])
    chunked, delivered, rejects = _build(tmp_path, frame, chunk_rows=2, name="chunked")
    whole, delivered_whole, rejects_whole = _build(tmp_path, frame, chunk_rows=100, name="whole")
    assert rejects["row"].tolist() == rejects_whole["row"].tolist() == ["1", "2", "6", "7"]
    assert delivered["INVOICE_AMOUNT"].tolist() == delivered_whole["INVOICE_AMOUNT"].tolist() == ["0", "", "1250"]
    messages = chunked.tally.issues().query("code == 'mixed-amount-units'").set_index("row")["message"]
    assert messages[1] == ("'1500' is a whole number in a column that also holds amounts in euros (like '12,50'): "
                           "cents or euros? Declare units: {INVOICE_AMOUNT: cents|euros} in the mapping.")
    assert messages.tolist() == whole.tally.issues().query("code == 'mixed-amount-units'")["message"].tolist()


def test_every_delivered_identifier_is_in_the_ledger(tmp_path: Path) -> None:
    identifiers = [f"K{i:05d}" for i in range(25)] + ["ÿ\u20ac;\"x"]
    outcome, delivered, _ = _build(tmp_path, _records(identifiers), chunk_rows=4)
    assert len(delivered) == 26
    with Ledger(tmp_path / "out.sqlite3") as ledger:
        assert set(ledger.delivered_before(identifiers)) == set(identifiers)
