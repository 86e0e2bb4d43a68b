"""tests/hostile: print how many hostile cases ran, per input extension and kind."""
from __future__ import annotations

from typing import Any

from .cases import TALLY


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not TALLY:
        return
    extensions = sorted({ext for ext, _ in TALLY})
    kinds = sorted({kind for _, kind in TALLY})
    terminalreporter.write_sep("-", f"hostile cases run: {sum(TALLY.values())}")
    terminalreporter.write_line(f"{'kind':<14}" + "".join(f"{ext:>8}" for ext in extensions) + f"{'all':>8}")
    for kind in kinds:
        counts = [TALLY.get((ext, kind), 0) for ext in extensions]
        terminalreporter.write_line(f"{kind:<14}" + "".join(f"{n:>8}" for n in counts) + f"{sum(counts):>8}")
