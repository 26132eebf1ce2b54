"""The workbook offline collectors fill in: the input sheet, instructions and the lists."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from safecampus.core.excel import (
    BORDER,
    HEADER_FILL,
    MAX_IMPORT_BYTES,
    REQUIRED_MARK,
    Column,
    header_row,
    list_ref,
    list_validation,
    safe_text,
)
from safecampus.core.i18n import localized
from safecampus.leads.choices import Urgency
from safecampus.leads.excel.common import DATETIME_FORMAT, MAX_IMPORT_ROWS
from safecampus.leads.models import LeadCategory
from safecampus.organizations.models import Unit

#: Every column must be in the header row but the coordinates; ``marked``: a value is required.
IMPORT_COLUMNS: tuple[Column, ...] = (
    Column("category", pgettext_lazy("lead import", "Category"), 26, marked=True),
    Column("subcategory", pgettext_lazy("lead import", "Sub-type"), 16),
    Column("occurred_at", pgettext_lazy("lead import", "When it happened"), 18, text=False),
    Column("school", pgettext_lazy("lead import", "School concerned"), 24),
    Column("place", pgettext_lazy("lead import", "Place"), 20),
    Column("description", pgettext_lazy("lead import", "What happened"), 50, marked=True),
    Column("persons_involved", pgettext_lazy("lead import", "Persons involved"), 20),
    Column("victims", pgettext_lazy("lead import", "Victims"), 16),
    Column("urgency", pgettext_lazy("lead import", "Urgency"), 10),
    Column("longitude", pgettext_lazy("lead import", "Longitude"), 12, required=False),
    Column("latitude", pgettext_lazy("lead import", "Latitude"), 12, required=False),
)
INPUT_SHEET = pgettext_lazy("lead import", "Leads")
INSTRUCTIONS_SHEET = pgettext_lazy("lead import", "Instructions")
LISTS_SHEET = pgettext_lazy("lead import", "Lists")
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


def _lists_sheet(
    workbook: Workbook, categories: Sequence[LeadCategory], schools: Sequence[Unit]
) -> dict[str, str]:
    sheet = workbook.create_sheet(str(LISTS_SHEET))
    tops = [c for c in categories if c.parent_id is None]
    subs = [c for c in categories if c.parent_id is not None]
    names = {c.pk: localized(c) for c in categories}
    columns = [
        (pgettext("lead import", "Category"), [localized(c) for c in tops]),
        (pgettext("lead import", "Category code"), [c.code for c in tops]),
        (pgettext("lead import", "Sub-type"), [localized(c) for c in subs]),
        (pgettext("lead import", "Sub-type code"), [c.code for c in subs]),
        (pgettext("lead import", "Belongs to"), [names.get(c.parent_id or 0, "") for c in subs]),
        (pgettext("lead import", "School"), [s.name for s in schools]),
        (pgettext("lead import", "School code"), [s.code for s in schools]),
        (pgettext("lead import", "Urgency"), [str(label) for label in Urgency.labels]),
    ]
    header_row(sheet, [h for h, _v in columns], [30, 28, 20, 34, 30, 30, 14, 10])
    for index, (_h, values) in enumerate(columns, start=1):
        for row, value in enumerate(values, start=2):
            sheet.cell(row=row, column=index, value=safe_text(value)).data_type = "s"
    title = sheet.title
    return {
        "category": list_ref(title, "A", len(tops)),
        "subcategory": list_ref(title, "C", len(subs)),
        "school": list_ref(title, "F", len(schools)),
        "urgency": list_ref(title, "H", len(Urgency.labels)),
    }


def _example(categories: Sequence[LeadCategory], schools: Sequence[Unit]) -> dict[str, str]:
    top = next((c for c in categories if c.parent_id is None), None)
    sub = next((c for c in categories if top is not None and c.parent_id == top.pk), None)
    return EXAMPLE | {
        "category": localized(top) if top else "",
        "subcategory": localized(sub) if sub else "",
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
        head = sheet.cell(row=first, column=index, value=column.header)
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
    header_row(sheet, [c.header for c in IMPORT_COLUMNS], [c.width for c in IMPORT_COLUMNS])
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
        position = keys.index(key)
        validation = list_validation(
            formula,
            column=position + 1,
            rows=MAX_IMPORT_ROWS,
            prompt=prompt,
            title=IMPORT_COLUMNS[position].header,
        )
        sheet.add_data_validation(validation)
    _instructions_sheet(workbook, _example(categories, schools))
    workbook.save(out)
