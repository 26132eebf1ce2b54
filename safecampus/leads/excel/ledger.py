"""The ledger (线索台账) in the layout a bureau files, written row by row.

openpyxl's write-only mode writes each row to a temporary file as it comes (strings
inline), so memory does not grow with the ledger. Every text cell taken from user data
is an explicit string, and one that Excel would read as a formula carries the quote
prefix, so it stays text also when someone edits the cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from django.db import models
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from safecampus.cases.models import CaseEvent, Deadline, Transfer
from safecampus.core.excel import BORDER, HEADER_FILL, is_formula_like, safe_text
from safecampus.core.i18n import localized
from safecampus.core.localtime import CHINA_TZ
from safecampus.leads.choices import (
    SECOND_REPORT_CHANNELS,
    DualReportChannel,
    LeadResult,
    LeadSource,
    LeadStatus,
    Urgency,
)
from safecampus.leads.excel.common import DATETIME_FORMAT, EXPORT_CHUNK, WRAP
from safecampus.leads.models import DualReport, Lead


def _local(moment: datetime) -> str:
    return f"{timezone.localtime(moment, CHINA_TZ):%Y-%m-%d %H:%M}"


def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    return {value: str(label) for value, label in choices.choices}


def ledger_queryset(leads: QuerySet[Lead], *, now: datetime) -> QuerySet[Lead]:
    """``leads`` with everything a ledger row reads, in a fixed number of queries per chunk.

    The reporter's fields and the persons' names are deferred: they are never decrypted
    on the way to a file, and no ledger column carries them.
    """
    return (
        leads.select_related("category__parent", "school", "assignee_unit")
        .defer(
            "reporter_name",
            "reporter_contact",
            "reporter_contact_hash",
            "receipt_digest",
            "persons_involved",
            "victims",
        )
        .prefetch_related(
            Prefetch(
                "dual_reports",
                queryset=DualReport.objects.filter(channel__in=SECOND_REPORT_CHANNELS),
                to_attr="second_reports",
            ),
            Prefetch(
                "transfers",
                queryset=Transfer.objects.select_related("to_unit").order_by("at", "id"),
                to_attr="ledger_transfers",
            ),
            Prefetch(
                "deadlines",
                queryset=Deadline.objects.overdue(now).only("pk", "object_id", "content_type"),
                to_attr="overdue_deadlines",
            ),
            Prefetch(
                "events",
                queryset=CaseEvent.objects.filter(to_status=LeadStatus.CONCLUDED).order_by("at"),
                to_attr="conclusions",
            ),
        )
    )


def ledger_leads(leads: QuerySet[Lead], *, now: datetime) -> Iterator[Lead]:
    """Iterate ``leads`` in chunks with their prefetched rows; memory stays flat."""
    return ledger_queryset(leads, now=now).iterator(chunk_size=EXPORT_CHUNK)


@dataclass(frozen=True)
class Column:
    header: str | Promise
    width: int
    wrap: bool = False


LEDGER_COLUMNS: tuple[Column, ...] = (
    Column(pgettext_lazy("ledger", "No."), 6),
    Column(pgettext_lazy("ledger", "Reference"), 16),
    Column(pgettext_lazy("ledger", "Received at"), 17),
    Column(pgettext_lazy("ledger", "Source"), 12),
    Column(pgettext_lazy("ledger", "Category"), 24, wrap=True),
    Column(pgettext_lazy("ledger", "Sub-type"), 14, wrap=True),
    Column(pgettext_lazy("ledger", "School concerned"), 20, wrap=True),
    Column(pgettext_lazy("ledger", "Place"), 20, wrap=True),
    Column(pgettext_lazy("ledger", "Summary"), 50, wrap=True),
    Column(pgettext_lazy("ledger", "Urgency"), 9),
    Column(pgettext_lazy("ledger", "Status"), 11),
    Column(pgettext_lazy("ledger", "Handling or receiving unit"), 22, wrap=True),
    Column(pgettext_lazy("ledger", "Second report"), 24, wrap=True),
    Column(pgettext_lazy("ledger", "Feedback / concluded at"), 22, wrap=True),
    Column(pgettext_lazy("ledger", "Result"), 12),
    Column(pgettext_lazy("ledger", "Overdue"), 8),
)
#: Rows above the header: the title and the line with the export time and the filters.
LEDGER_HEADER_ROW = 3


class _LedgerRows:
    """Rows of one export. Labels and cell styles are resolved once here, not per cell:
    at 200,000 rows, per-cell translation lookups and style hashing cost minutes."""

    def __init__(self, sheet: Any) -> None:
        self.sheet = sheet
        self.status, self.source = _labels(LeadStatus), _labels(LeadSource)
        self.urgency, self.result = _labels(Urgency), _labels(LeadResult)
        self.channel = _labels(DualReportChannel)
        self.yes, self.no = pgettext("ledger", "Yes"), pgettext("ledger", "No")
        self.styles = {
            (wrap, quote): self._style(wrap=wrap, quote=quote)
            for wrap in (False, True)
            for quote in (False, True)
        }
        self.datetime_style = self._style(number_format=DATETIME_FORMAT)

    def _style(self, *, wrap: bool = False, quote: bool = False, number_format: str = "") -> Any:
        template = WriteOnlyCell(self.sheet)
        if wrap:
            template.alignment = WRAP
        template.quotePrefix = quote  # Excel keeps "=…" as text even when the cell is edited
        if number_format:
            template.number_format = number_format
        return template._style

    def _cell(self, value: Any, column: Column) -> Any:
        if isinstance(value, datetime):
            cell = WriteOnlyCell(
                self.sheet, timezone.localtime(value, CHINA_TZ).replace(tzinfo=None)
            )
            cell._style = copy(self.datetime_style)
            return cell
        if not isinstance(value, str):
            return value
        text = safe_text(value)
        formula = is_formula_like(text)
        if not text or not (formula or column.wrap):
            return text or None
        cell = WriteOnlyCell(self.sheet, text)
        if formula:
            cell.data_type = "s"  # openpyxl bound "=…" as a formula; it is data
        cell._style = copy(self.styles[(column.wrap, formula)])  # openpyxl's own copy idiom
        return cell

    def row(self, lead: Lead, number: int) -> list[Any]:
        category = lead.category
        parent = category.parent
        values = [
            number,
            lead.reference,
            lead.created_at,
            self.source.get(lead.source, lead.source),
            localized(parent if parent is not None else category),
            localized(category) if parent is not None else "",
            lead.school.name if lead.school is not None else "",
            lead.place,
            lead.description,
            self.urgency.get(lead.urgency, lead.urgency),
            self.status.get(lead.status, lead.status),
            self._handling_units(lead),
            self._second_report(lead),
            self._feedback_and_conclusion(lead),
            self.result.get(lead.result, lead.result),
            self.yes if lead.overdue_deadlines else self.no,  # type: ignore[attr-defined]
        ]
        return [self._cell(v, c) for v, c in zip(values, LEDGER_COLUMNS, strict=True)]

    def _handling_units(self, lead: Lead) -> str:
        units = {}
        if lead.assignee_unit is not None:
            units[lead.assignee_unit.pk] = lead.assignee_unit.name
        for transfer in lead.ledger_transfers:  # type: ignore[attr-defined]
            units[transfer.to_unit_id] = transfer.to_unit.name
        return "、".join(units.values())

    def _second_report(self, lead: Lead) -> str:
        reports = lead.second_reports  # type: ignore[attr-defined]
        if not reports:
            return self.no
        whom = "；".join(
            f"{self.channel.get(r.channel, r.channel)} {r.reported_to}".strip() for r in reports
        )
        return _("%(yes)s: %(whom)s") % {"yes": self.yes, "whom": whom}

    def _feedback_and_conclusion(self, lead: Lead) -> str:
        lines = [
            _("Feedback %(time)s") % {"time": _local(t.feedback_at)}
            for t in lead.ledger_transfers  # type: ignore[attr-defined]
            if t.feedback_at is not None
        ]
        conclusions = lead.conclusions  # type: ignore[attr-defined]
        if conclusions:
            lines.append(_("Concluded %(time)s") % {"time": _local(conclusions[-1].at)})
        return "\n".join(lines)


def _styled(sheet: Any, value: Any, *, font: Font, fill: PatternFill | None = None) -> Any:
    cell = WriteOnlyCell(sheet, safe_text(value))
    cell.data_type = "s"
    cell.font = font
    cell.alignment = Alignment(wrap_text=True, vertical="center")
    if fill is not None:
        cell.fill, cell.border = fill, BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    return cell


def _ledger_sheet_setup(sheet: Any) -> None:
    last = get_column_letter(len(LEDGER_COLUMNS))
    for index, column in enumerate(LEDGER_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")
    sheet.freeze_panes = f"C{LEDGER_HEADER_ROW + 1}"
    sheet.print_title_rows = f"{LEDGER_HEADER_ROW}:{LEDGER_HEADER_ROW}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as the ledger needs
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = _("Page &P of &N")


def ledger_write(out: IO[bytes], leads: Iterable[Lead], *, title: str, subtitle: str) -> None:
    """Write the ledger of ``leads`` (from ``ledger_leads``) to ``out`` as xlsx: a title,
    a line saying when and with which filters, the header, then one row per lead."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(pgettext("ledger", "Ledger"))
    _ledger_sheet_setup(sheet)
    sheet.append([_styled(sheet, title, font=Font(bold=True, size=16))])
    sheet.append([_styled(sheet, subtitle, font=Font(size=10, color="555555"))])
    header = Font(bold=True)
    sheet.append([_styled(sheet, c.header, font=header, fill=HEADER_FILL) for c in LEDGER_COLUMNS])
    rows = _LedgerRows(sheet)
    for number, lead in enumerate(leads, start=1):
        sheet.append(rows.row(lead, number))
    workbook.save(out)
