"""Every bench ends the same way: one line per target, then an exit status a script can gate on.

A figure means little without the baseline measured in the same run on the same machine (a
busy or slow machine moves both), so each target carries its baseline and the ratio between
them, and the load average is printed beside the table.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

COLUMNS = ("target", "measured", "baseline (same run)", "ratio", "goal", "met")


@dataclass(frozen=True)
class Target:
    """One goal of a bench: ``measured`` against ``goal`` (``met`` says whether it holds),
    beside ``baseline``, the comparable work measured in the same run."""

    name: str
    measured: float
    unit: str
    goal: str
    met: bool
    baseline: float | None = None
    baseline_name: str = ""

    @staticmethod
    def _number(value: float) -> str:
        if isinstance(value, int):
            return f"{value:,}"
        if abs(value) < 1:
            return f"{value:.3f}"
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"

    def cells(self) -> tuple[str, ...]:
        measured = f"{self._number(self.measured)} {self.unit}".strip()
        if self.baseline is None:
            baseline, ratio = "—", "—"
        else:
            baseline = f"{self._number(self.baseline)} {self.unit}".strip()
            if self.baseline_name:
                baseline += f" ({self.baseline_name})"
            ratio = f"{self.measured / self.baseline:.2f}×" if self.baseline else "—"
        return (self.name, measured, baseline, ratio, self.goal, "yes" if self.met else "NO")


def summary(targets: list[Target]) -> int:
    """Print the summary table; 0 when every target is met, else 1."""
    rows = [COLUMNS, *(t.cells() for t in targets)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    print(f"\nsummary (load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}):")
    for row in rows:
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    missed = [t.name for t in targets if not t.met]
    if missed:
        print(f"targets NOT met: {', '.join(missed)}")
        return 1
    print("all targets met")
    return 0


def finish(targets: list[Target]) -> None:
    """Print the summary and leave with its status (a miss is a failing exit)."""
    sys.exit(summary(targets))
