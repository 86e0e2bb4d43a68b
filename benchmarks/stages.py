"""Where build's time goes: a timer on every stage of the pipeline, for ``run.py --profile ROWS``.

The timers are put on the library's functions from outside (nothing in alphaimport knows about them)
and count *exclusive* time: a stage called inside another is subtracted from the outer one. Each
normaliser call is timed by field type, which costs well under a microsecond per distinct value.
"""
from __future__ import annotations

import cProfile
import importlib
import io
import pstats
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Iterator


class Stages:
    """Exclusive seconds and calls per stage name."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[float] = []

    def wrap(self, name: str | Callable[..., str], fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            label = name if isinstance(name, str) else name(*args, **kwargs)
            self._stack.append(0.0)
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                nested = self._stack.pop()
                self.seconds[label] += elapsed - nested
                self.calls[label] += 1
                if self._stack:
                    self._stack[-1] += elapsed

        return timed

    def iterate(self, name: str, chunks: Iterator[Any]) -> Iterator[Any]:
        step = self.wrap(name, lambda: next(chunks, _END))
        while (chunk := step()) is not _END:
            yield chunk


_END = object()


def instrument(stages: Stages) -> None:
    """Put the timers on the pipeline's stages (this process only)."""
    # the modules themselves: the package re-exports functions under some of their names (validate)
    deliver, normalise, pipeline, report, rules, validate = (importlib.import_module(f"alphaimport.{m}") for m in (
        "deliver", "normalise", "pipeline", "report", "rules", "validate"))

    original_load = pipeline.iter_load
    loads = [0]

    def iter_load(*args: Any, **kwargs: Any) -> Any:
        stream = stages.wrap("read + map: open, sniff, plan headers", original_load)(*args, **kwargs)
        loads[0] += 1
        name = "read + map" if loads[0] == 1 else "read + map, again (pass for duplicates)"
        return stream._replace(chunks=stages.iterate(name, stream.chunks))

    pipeline.iter_load = iter_load
    pipeline._across_chunks = stages.wrap("duplicates across chunks (hashing)", pipeline._across_chunks)
    pipeline._earlier = stages.wrap("ledger: delivered before?", pipeline._earlier)
    pipeline.validate = stages.wrap("validate: verdict (split, reasons, summary)", pipeline.validate)
    validate.normalise = stages.wrap("normalise: stage (factorize, issues table)", validate.normalise)

    original_normaliser = normalise.normaliser

    def normaliser(spec: Any, options: Any = normalise.Options()) -> Any:
        return stages.wrap(f"normalise: {spec.type}", original_normaliser(spec, options))

    normalise.normaliser = normaliser
    if hasattr(normalise, "batch_normaliser"):  # column-wise fast paths (phone, e-mail)
        original_batch = normalise.batch_normaliser

        def batch_normaliser(spec: Any, options: Any = normalise.Options()) -> Any:
            return stages.wrap(f"normalise: {spec.type} (column-wise)", original_batch(spec, options))

        normalise.batch_normaliser = batch_normaliser
    for name, label in (("_amounts", "normalise: cents"), ("needs_text_work", "normalise: text pre-filter"),
                        ("per_value", "normalise: per-value loop")):
        if hasattr(normalise, name):
            setattr(normalise, name, stages.wrap(label, getattr(normalise, name)))
    validate._schema_issues = stages.wrap("validate: pandera schema", validate._schema_issues)
    for name in ("repeated_required", "duplicate_identifiers", "delivered_before", "future_dates", "at_most"):
        setattr(rules, name, stages.wrap(f"rules: {name}", getattr(rules, name)))
    deliver.Delivery.write = stages.wrap("write: delivery", deliver.Delivery.write)
    deliver.Delivery.reject = stages.wrap("write: rejects", deliver.Delivery.reject)
    deliver.Delivery.commit = stages.wrap("write: commit (+ ledger identifiers)", deliver.Delivery.commit)
    report.Tally.add_result = stages.wrap("tally", report.Tally.add_result)


def profile_build(source: Path, mapping: Path, cprofile_top: int = 0, chunk_rows: int = 0) -> None:
    """Build ``source`` (csv, sms+paylink) in this process; print seconds per stage."""
    from alphaimport import pipeline
    from alphaimport.profile import Profile

    stages = Stages()
    instrument(stages)
    with tempfile.TemporaryDirectory(prefix="alphaimport-profile-") as out:
        job = pipeline.Job(source=source, profile=Profile("sms", "paylink"), mapping=mapping, client="1001",
                           out_dir=Path(out), day="20270101", ledger=Path(out) / "ledger.sqlite3",
                           **({"chunk_rows": chunk_rows} if chunk_rows else {}))
        profiler = cProfile.Profile() if cprofile_top else None
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        outcome = stages.wrap("(whole run: other)", pipeline.run)(job)
        if profiler:
            profiler.disable()
        total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"build {source.name} in chunks of {job.chunk_rows:,}: {outcome.tally.records:,} records "
          f"in {total:.1f} s "
          f"({outcome.tally.rejected:,} rejected), peak RSS {peak:.0f} MB")
    print(f"{'stage':<48} {'seconds':>8} {'share':>6} {'calls':>9}")
    for name, seconds in sorted(stages.seconds.items(), key=lambda kv: -kv[1]):
        print(f"{name:<48} {seconds:>8.2f} {seconds / total:>6.1%} {stages.calls[name]:>9,}")
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(cprofile_top)
        print(text.getvalue())
