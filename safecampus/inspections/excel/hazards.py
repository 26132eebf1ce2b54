"""The hazard ledger (隐患台账) as an Excel workbook, written row by row (XlsxWriter's
constant-memory mode), Chinese headers through gettext, every text cell kept as text: one
that a spreadsheet would take for a formula carries the quote prefix."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from safecampus.core.csv_export import FORMULA_START
from safecampus.core.localtime import CHINA_TZ
from safecampus.inspections.models import Hazard
from safecampus.inspections.selectors.hazards import overdue_notice_ids

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Beyond this a ledger is a data dump, not a file a bureau reads; narrow the filters.
MAX_ROWS = 100_000
CHUNK = 2000
#: Rows above the header: the title and the line with the export time and the filters.
HEADER_ROW = 2

COLUMNS = (
    (pgettext_lazy("hazard ledger", "No."), 6),
    (pgettext_lazy("hazard ledger", "Found at"), 17),
    (pgettext_lazy("hazard ledger", "School"), 24),
    (pgettext_lazy("hazard ledger", "Place"), 18),
    (pgettext_lazy("hazard ledger", "Category"), 14),
    (pgettext_lazy("hazard ledger", "Level"), 10),
    (pgettext_lazy("hazard ledger", "Description"), 50),
    (pgettext_lazy("hazard ledger", "Source"), 14),
    (pgettext_lazy("hazard ledger", "Found by"), 12),
    (pgettext_lazy("hazard ledger", "Interim control measure"), 30),
    (pgettext_lazy("hazard ledger", "Status"), 12),
    (pgettext_lazy("hazard ledger", "Notice"), 18),
    (pgettext_lazy("hazard ledger", "Due"), 12),
    (pgettext_lazy("hazard ledger", "Overdue"), 8),
    (pgettext_lazy("hazard ledger", "Measures taken"), 40),
    (pgettext_lazy("hazard ledger", "Closed at"), 17),
)


def _local(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment, CHINA_TZ):%Y-%m-%d %H:%M}" if moment else ""


def _chunks(hazards: QuerySet[Hazard]) -> Iterable[list[Hazard]]:
    batch: list[Hazard] = []
    for hazard in hazards.iterator(chunk_size=CHUNK):
        batch.append(hazard)
        if len(batch) == CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _row(index: int, hazard: Hazard, late: set[int]) -> list[str]:
    notice = hazard.rectification
    overdue = notice is not None and notice.pk in late
    return [
        str(index),
        _local(hazard.found_at),
        hazard.school.name,
        hazard.place,
        str(hazard.get_category_display()),
        str(hazard.get_level_display()),
        hazard.description,
        str(hazard.get_source_display()),
        hazard.found_by_label,
        " · ".join(p for p in (hazard.interim_measure, hazard.interim_responsible) if p),
        str(hazard.get_status_display()),
        notice.reference or "" if notice else "",
        f"{timezone.localtime(notice.due_at, CHINA_TZ):%Y-%m-%d}"
        if notice and notice.due_at
        else "",
        _("Yes") if overdue else "",
        hazard.measures,
        _local(hazard.closed_at),
    ]


def hazard_ledger_write(
    out: IO[bytes], hazards: QuerySet[Hazard], *, title: str, subtitle: str
) -> int:
    """Write the ledger to ``out``; return the number of hazard rows."""
    book = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(_("Hazard ledger")[:31])
    bold = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True})
    cell = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    quoted = book.add_format(
        {"border": 1, "text_wrap": True, "valign": "top", "quote_prefix": True}
    )
    sheet.write_string(0, 0, title, bold)
    sheet.write_string(1, 0, subtitle)
    for col, (header, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write_string(HEADER_ROW, col, str(header), head)
    sheet.freeze_panes(HEADER_ROW + 1, 0)
    row = HEADER_ROW
    for batch in _chunks(hazards):
        late = overdue_notice_ids([h.rectification_id for h in batch])
        for hazard in batch:
            row += 1
            for col, value in enumerate(_row(row - HEADER_ROW, hazard, late)):
                text = value[:32767]
                sheet.write_string(
                    row, col, text, quoted if text.startswith(FORMULA_START) else cell
                )
    book.close()
    return row - HEADER_ROW


def ledger_filename(now: datetime) -> str:
    return _("Hazard ledger") + f"-{timezone.localtime(now, CHINA_TZ):%Y-%m-%d}.xlsx"


__all__: list[Any] = ["MAX_ROWS", "XLSX_MIME", "hazard_ledger_write", "ledger_filename"]
