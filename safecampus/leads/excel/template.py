"""The workbook offline collectors fill in: the input sheet, instructions and the lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from safecampus.leads.choices import Urgency
from safecampus.leads.excel.common import (
    BORDER,
    DATETIME_FORMAT,
    HEADER_FILL,
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    safe_text,
)
from safecampus.leads.models import LeadCategory
from safecampus.organizations.models import Unit


@dataclass(frozen=True)
class ImportColumn:
    key: str
    label: str | Promise
    width: int
    required_value: bool = False
    required_column: bool = True
    text: bool = True


IMPORT_COLUMNS: tuple[ImportColumn, ...] = (
    ImportColumn("category", pgettext_lazy("lead import", "Category"), 26, required_value=True),
    ImportColumn("subcategory", pgettext_lazy("lead import", "Sub-type"), 16),
    ImportColumn("occurred_at", pgettext_lazy("lead import", "When it happened"), 18, text=False),
    ImportColumn("school", pgettext_lazy("lead import", "School concerned"), 24),
    ImportColumn("place", pgettext_lazy("lead import", "Place"), 20),
    ImportColumn(
        "description", pgettext_lazy("lead import", "What happened"), 50, required_value=True
    ),
    ImportColumn("persons_involved", pgettext_lazy("lead import", "Persons involved"), 20),
    ImportColumn("victims", pgettext_lazy("lead import", "Victims"), 16),
    ImportColumn("urgency", pgettext_lazy("lead import", "Urgency"), 10),
    ImportColumn("longitude", pgettext_lazy("lead import", "Longitude"), 12, required_column=False),
    ImportColumn("latitude", pgettext_lazy("lead import", "Latitude"), 12, required_column=False),
)
INPUT_SHEET = pgettext_lazy("lead import", "Leads")
INSTRUCTIONS_SHEET = pgettext_lazy("lead import", "Instructions")
LISTS_SHEET = pgettext_lazy("lead import", "Lists")
REQUIRED_MARK = "*"
#: The example row's free text; category, sub-type, school and urgency come from the lists.
EXAMPLE = {
    "occurred_at": "2026-03-10 16:30",
    "place": "学校东门外小卖部旁",
    "description": "放学后有两名社会青年在东门外拦住学生索要钱财，学生称已被要过三次。",
    "persons_involved": "社会青年二人，约二十岁",
    "victims": "五年级学生若干",
    "longitude": "119.974000",
    "latitude": "31.811000",
}


def _header_text(column: ImportColumn) -> str:
    return f"{column.label}{REQUIRED_MARK}" if column.required_value else str(column.label)


def _list_ref(sheet_title: str, column: str, count: int) -> str:
    return f"'{sheet_title}'!${column}$2:${column}${max(count, 1) + 1}"


def _validation(formula: str, column_index: int, prompt: str) -> DataValidation:
    letter = get_column_letter(column_index)
    # "warning": the list helps, but a code typed in by hand is still allowed.
    validation = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        errorStyle="warning",
        showErrorMessage=True,
        error=prompt,
        errorTitle=str(_header_text(IMPORT_COLUMNS[column_index - 1])),
    )
    validation.add(f"{letter}2:{letter}{MAX_IMPORT_ROWS + 1}")
    return validation


def _header_row(sheet: Any, labels: Sequence[str], widths: Sequence[int]) -> None:
    for index, (label, width) in enumerate(zip(labels, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=label)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def _lists_sheet(
    workbook: Workbook, categories: Sequence[LeadCategory], schools: Sequence[Unit]
) -> dict[str, str]:
    sheet = workbook.create_sheet(str(LISTS_SHEET))
    tops = [c for c in categories if c.parent_id is None]
    subs = [c for c in categories if c.parent_id is not None]
    names = {c.pk: c.name for c in categories}
    columns = [
        (pgettext("lead import", "Category"), [c.name for c in tops]),
        (pgettext("lead import", "Category code"), [c.code for c in tops]),
        (pgettext("lead import", "Sub-type"), [c.name for c in subs]),
        (pgettext("lead import", "Sub-type code"), [c.code for c in subs]),
        (pgettext("lead import", "Belongs to"), [names.get(c.parent_id or 0, "") for c in subs]),
        (pgettext("lead import", "School"), [s.name for s in schools]),
        (pgettext("lead import", "School code"), [s.code for s in schools]),
        (pgettext("lead import", "Urgency"), [str(label) for label in Urgency.labels]),
    ]
    _header_row(sheet, [h for h, _v in columns], [30, 28, 20, 34, 30, 30, 14, 10])
    for index, (_h, values) in enumerate(columns, start=1):
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=index, value=safe_text(value)).data_type = "s"
    title = sheet.title
    return {
        "category": _list_ref(title, "A", len(tops)),
        "subcategory": _list_ref(title, "C", len(subs)),
        "school": _list_ref(title, "F", len(schools)),
        "urgency": _list_ref(title, "H", len(Urgency.labels)),
    }


def _example(categories: Sequence[LeadCategory], schools: Sequence[Unit]) -> dict[str, str]:
    top = next((c for c in categories if c.parent_id is None), None)
    sub = next((c for c in categories if top is not None and c.parent_id == top.pk), None)
    return EXAMPLE | {
        "category": top.name if top else "",
        "subcategory": sub.name if sub else "",
        "school": schools[0].code if schools else "",
        "urgency": str(Urgency.URGENT.label),
    }


def _instructions_sheet(workbook: Workbook, example: dict[str, str]) -> None:
    sheet = workbook.create_sheet(str(INSTRUCTIONS_SHEET))
    lines = [
        _("How to fill in this workbook"),
        _("Enter one lead per row on the sheet “%(sheet)s”, below its header row.")
        % {"sheet": INPUT_SHEET},
        _("Columns marked %(mark)s are required; do not rename, move or delete the columns.")
        % {"mark": REQUIRED_MARK},
        _(
            "Category, sub-type and school: pick from the list or type a code from the sheet "
            "“%(sheet)s”."
        )
        % {"sheet": LISTS_SHEET},
        _("When it happened: a date and time such as 2026-03-10 16:30, not in the future."),
        _("Longitude and latitude (WGS-84) are optional; give both or neither."),
        _(
            "At most %(rows)d leads and %(size)s per file. If any row is wrong, nothing is "
            "imported and every error is listed with its row number."
        )
        % {"rows": MAX_IMPORT_ROWS, "size": filesizeformat(MAX_IMPORT_BYTES)},
        _("Do not enter the reporter's name or contact: imported leads carry none."),
        "",
        _("Example (on this sheet only; it is never imported):"),
    ]
    for row, line in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=line).font = Font(bold=row in (1, len(lines)))
    sheet.column_dimensions["A"].width = 26
    first = len(lines) + 1
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        head = sheet.cell(row=first, column=index, value=_header_text(column))
        head.font, head.fill, head.border = Font(bold=True), HEADER_FILL, BORDER
        sheet.cell(row=first + 1, column=index, value=example[column.key]).border = BORDER
        sheet.column_dimensions[get_column_letter(index)].width = max(column.width, 14)


def import_template(
    out: IO[bytes], *, categories: Sequence[LeadCategory], schools: Sequence[Unit]
) -> None:
    """Write the workbook offline collectors fill in: the input sheet (header only, lists
    to pick from), the instructions with an example row, and the lists of valid values."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(INPUT_SHEET)
    _header_row(sheet, [_header_text(c) for c in IMPORT_COLUMNS], [c.width for c in IMPORT_COLUMNS])
    for index, column in enumerate(IMPORT_COLUMNS, start=1):
        letter = get_column_letter(index)
        # Text format: a description typed as "=…" or a code like "001" stays as typed.
        sheet.column_dimensions[letter].number_format = "@" if column.text else DATETIME_FORMAT
    lists = _lists_sheet(workbook, categories, schools)
    keys = [c.key for c in IMPORT_COLUMNS]
    prompt = _("Not in the list. A code from the sheet “%(sheet)s” is accepted too.") % {
        "sheet": LISTS_SHEET
    }
    for key, formula in lists.items():
        sheet.add_data_validation(_validation(formula, keys.index(key) + 1, prompt))
    _instructions_sheet(workbook, _example(categories, schools))
    workbook.save(out)
