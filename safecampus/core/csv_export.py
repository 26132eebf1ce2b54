"""Streamed CSV exports that Excel opens safely: UTF-8 with a BOM (so Chinese shows right)
and every cell that would start a formula made text (CSV injection)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

#: Text starting with these is taken for a formula by a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """``value`` as text a spreadsheet opens as text: a leading formula character gets an
    apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """The BOM with the header line, then one line per row, every cell made safe."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])
