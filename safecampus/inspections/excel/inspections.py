"""The inspection ledger (检查台账) as an Excel workbook, one row per inspection.

XlsxWriter in ``constant_memory`` mode writes row by row, so memory stays flat however long
the ledger. Text from user data is written as strings; one Excel would read as a formula
carries the quote prefix, so it stays text also when someone edits the cell.

A working list, not an official document: its headings and statuses follow the reader's
language, and so does the checklist's name (the rectification notice PDF stays Chinese).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from safecampus.core.csv_export import FORMULA_START
from safecampus.core.i18n import localized
from safecampus.core.localtime import CHINA_TZ
from safecampus.inspections.models import Inspection

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CELL_MAX = 32767
CHUNK = 2000

#: (header, width)
INSPECTION_COLUMNS: tuple[tuple[Promise, int], ...] = (
    (pgettext_lazy("ledger", "No."), 6),
    (pgettext_lazy("ledger", "School code"), 10),
    (pgettext_lazy("ledger", "School"), 26),
    (pgettext_lazy("ledger", "Checklist"), 26),
    (pgettext_lazy("ledger", "Version"), 7),
    (pgettext_lazy("ledger", "Kind"), 18),
    (pgettext_lazy("ledger", "Performed by"), 12),
    (pgettext_lazy("ledger", "Inspector"), 12),
    (pgettext_lazy("ledger", "Period"), 11),
    (pgettext_lazy("ledger", "Due on"), 11),
    (pgettext_lazy("ledger", "Status"), 10),
    (pgettext_lazy("ledger", "Submitted at"), 17),
    (pgettext_lazy("ledger", "Score"), 8),
    (pgettext_lazy("ledger", "Score (%)"), 9),
    (pgettext_lazy("ledger", "Passed"), 7),
    (pgettext_lazy("ledger", "Veto item failed"), 9),
    (pgettext_lazy("ledger", "Findings"), 8),
)
HEADER_ROW = 2


class Sheet:
    """A sheet with a title, a subtitle line and a header; rows follow, formula-safe."""

    def __init__(
        self,
        out: IO[bytes],
        *,
        name: str,
        title: str,
        subtitle: str,
        columns: Sequence[tuple[Any, int]],
    ) -> None:
        self.book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
        self.sheet = self.book.add_worksheet(name[:31])
        fmt = self.book.add_format
        self.text = fmt({"border": 1, "valign": "top"})
        self.quoted = fmt({"border": 1, "valign": "top", "quote_prefix": True})
        self.number = fmt({"border": 1, "valign": "top", "num_format": "0.0"})
        self.integer = fmt({"border": 1, "valign": "top"})
        self.row = HEADER_ROW + 1
        header = fmt({"bold": True, "border": 1, "bg_color": "#D9E1F2", "text_wrap": True})
        for index, (_label, width) in enumerate(columns):
            self.sheet.set_column(index, index, width)
        self.sheet.merge_range(
            0, 0, 0, len(columns) - 1, safe(title), fmt({"bold": True, "font_size": 14})
        )
        self.sheet.merge_range(1, 0, 1, len(columns) - 1, safe(subtitle), fmt({"italic": True}))
        for index, (label, _width) in enumerate(columns):
            self.sheet.write_string(HEADER_ROW, index, str(label), header)
        self.sheet.freeze_panes(HEADER_ROW + 1, 0)

    def append(self, values: Iterable[Any]) -> None:
        for col, value in enumerate(values):
            if value is None or value == "":
                self.sheet.write_blank(self.row, col, None, self.text)
            elif isinstance(value, bool):
                self.sheet.write_string(self.row, col, _("Yes") if value else _("No"), self.text)
            elif isinstance(value, int):
                self.sheet.write_number(self.row, col, value, self.integer)
            elif isinstance(value, Decimal | float):
                self.sheet.write_number(self.row, col, float(value), self.number)
            else:
                text = safe(value)
                style = self.quoted if text.startswith(FORMULA_START) else self.text
                self.sheet.write_string(self.row, col, text, style)
        self.row += 1

    def close(self) -> None:
        self.book.close()


def safe(value: Any) -> str:
    """Text Excel keeps: no control characters but tab and newline, at most ``CELL_MAX``."""
    text = "" if value is None else str(value)
    text = "".join(ch for ch in text if ch >= " " or ch in "\t\n")
    return text[:CELL_MAX]


def local(moment: datetime | None) -> str:
    return "" if moment is None else f"{timezone.localtime(moment, CHINA_TZ):%Y-%m-%d %H:%M}"


def day(value: date | None) -> str:
    return "" if value is None else value.isoformat()


def inspection_rows(inspections: QuerySet[Inspection]) -> Iterable[list[Any]]:
    """One list of cells per inspection, streamed in chunks."""
    rows = inspections.select_related("school", "version__template", "inspector").order_by(
        "school__code", "due_on", "pk"
    )
    for number, item in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
        inspector = item.inspector
        yield [
            number,
            item.school.code,
            item.school.name,
            localized(item.version.template),
            f"v{item.version.number}",
            item.get_kind_display(),
            item.get_performer_display(),
            (inspector.full_name or inspector.get_username()) if inspector else "",
            item.period,
            day(item.due_on),
            item.get_status_display(),
            local(item.submitted_at),
            item.score,
            item.score_percent,
            item.passed,
            item.veto_failed if item.submitted_at else None,
            item.findings_count if item.submitted_at else None,
        ]


def inspection_ledger_write(
    out: IO[bytes], inspections: QuerySet[Inspection], *, title: str, subtitle: str
) -> int:
    """Write the ledger of ``inspections`` to ``out``; returns the number of rows."""
    sheet = Sheet(
        out,
        name=str(_("Inspections")),
        title=title,
        subtitle=subtitle,
        columns=INSPECTION_COLUMNS,
    )
    count = 0
    for row in inspection_rows(inspections):
        sheet.append(row)
        count += 1
    sheet.close()
    return count
