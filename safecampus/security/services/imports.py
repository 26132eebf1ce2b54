"""Registering many devices from an Excel workbook (设备批量导入): the template, the reader
and the import — every row registered, or none and every error listed by row and column.

The workbook plumbing (package guards, header matching in every language, row errors,
all or nothing, the header style) is ``core.excel``'s; only the columns are ours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from safecampus.audit.services import audit_record
from safecampus.core.errors import DomainError, ForbiddenError
from safecampus.core.excel import (
    MAX_IMPORT_BYTES,
    REQUIRED_MARK,
    CellError,
    Column,
    ImportRows,
    Parser,
    RowCheck,
    RowError,
    cell_text,
    choice_table,
    header_row,
    latitude_parser,
    list_ref,
    list_validation,
    longitude_parser,
    lookup_parser,
    lookup_table,
    position_check,
    safe_text,
    text_parser,
    workbook_read,
)
from safecampus.organizations.models import Unit
from safecampus.security.choices import DeviceKind, Protocol
from safecampus.security.models import Device
from safecampus.security.selectors.devices import manageable_schools
from safecampus.security.services.devices import DeviceError, device_register

#: Each row is one registration (a handful of queries and an audit row): 500 rows take a
#: few seconds, well inside one request.
MAX_DEVICE_ROWS = 500
MAX_HEARTBEAT_SECONDS = 86_400
INPUT_SHEET = pgettext_lazy("device import", "Devices")
LISTS_SHEET = pgettext_lazy("device import", "Lists")
EMPTY = gettext_lazy("The workbook holds no devices.")
TOO_MANY = gettext_lazy(
    "The workbook holds more than %(limit)d devices; split it into several files."
)

#: The school, the kind and the name must be there and filled in; the rest may be left out.
COLUMNS: tuple[Column, ...] = (
    Column("school", pgettext_lazy("device import", "School"), 24, marked=True),
    Column("kind", pgettext_lazy("device import", "Kind"), 28, marked=True),
    Column("name", pgettext_lazy("device import", "Device name"), 24, marked=True),
    Column("zone", pgettext_lazy("device import", "Zone"), 14, required=False),
    Column("protocol", pgettext_lazy("device import", "Protocol"), 22, required=False),
    Column("vendor", pgettext_lazy("device import", "Vendor"), 14, required=False),
    Column(
        "heartbeat_seconds",
        pgettext_lazy("device import", "Heartbeat (seconds)"),
        12,
        required=False,
    ),
    Column("longitude", pgettext_lazy("device import", "Longitude"), 12, required=False),
    Column("latitude", pgettext_lazy("device import", "Latitude"), 12, required=False),
    Column("code", pgettext_lazy("device import", "Device code (optional)"), 20, required=False),
)
LIMITS = {"name": 120, "zone": 80, "vendor": 80, "code": 40}


class DeviceImportRejected(DeviceError):
    """Some rows (or the header) are wrong; no device was registered."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            ngettext(
                "The workbook has %(count)d error; no device was registered. Correct it and "
                "upload the workbook again.",
                "The workbook has %(count)d errors; no device was registered. Correct them "
                "and upload the workbook again.",
                len(errors),
            )
            % {"count": len(errors)},
            code="rows_invalid",
        )
        self.errors = errors


# --- the template ----------------------------------------------------------------------


def device_import_template(out: IO[bytes], *, schools: Iterable[Unit]) -> None:
    """The workbook to fill in: the input sheet with lists to pick from, and the lists."""
    schools = list(schools)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(INPUT_SHEET)
    header_row(sheet, [c.header for c in COLUMNS], [c.width for c in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].number_format = "@"
    lists = workbook.create_sheet(str(LISTS_SHEET))
    columns = [
        (pgettext("device import", "School code"), [s.code for s in schools]),
        (pgettext("device import", "School"), [s.name for s in schools]),
        (pgettext("device import", "Kind"), [str(label) for label in DeviceKind.labels]),
        (pgettext("device import", "Protocol"), [str(label) for label in Protocol.labels]),
    ]
    header_row(lists, [h for h, _v in columns], [14, 30, 34, 30])
    for index, (_h, values) in enumerate(columns, start=1):
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=safe_text(value)).data_type = "s"
    keys = [c.key for c in COLUMNS]
    for key, letter, count in (
        ("school", "A", len(schools)),
        ("kind", "C", len(DeviceKind.labels)),
        ("protocol", "D", len(Protocol.labels)),
    ):
        formula = list_ref(lists.title, letter, count)
        column = keys.index(key) + 1
        sheet.add_data_validation(list_validation(formula, column=column, rows=MAX_DEVICE_ROWS))
    note = lists.cell(row=max(len(schools), 6) + 3, column=1)
    note.value = _(
        "One device per row on the first sheet; columns marked %(mark)s are required. "
        "Heartbeat: seconds between two signs of life (default 60). At most %(rows)d rows "
        "and %(size)s; if any row is wrong, nothing is registered."
    ) % {"mark": REQUIRED_MARK, "rows": MAX_DEVICE_ROWS, "size": filesizeformat(MAX_IMPORT_BYTES)}
    note.font = Font(italic=True)
    workbook.save(out)


# --- the reader --------------------------------------------------------------------------


def _heartbeat(value: Any) -> int:
    text = cell_text(value)
    if not text:
        return 60
    try:
        seconds = int(Decimal(text))
    except (ArithmeticError, ValueError):
        seconds = 0
    if not 5 <= seconds <= MAX_HEARTBEAT_SECONDS:
        raise CellError(
            _("A whole number of seconds from 5 to %(max)d.") % {"max": MAX_HEARTBEAT_SECONDS}
        )
    return seconds


def _code(value: Any) -> str:
    return text_parser(LIMITS["code"])(value).upper()


def _row_check() -> RowCheck:
    """Both coordinates or neither, and no code twice in the workbook (one read's memory)."""
    codes: dict[str, int] = {}

    def check(
        row: dict[str, Any], cells: Mapping[str, Any], fail: Callable[[str, str], None]
    ) -> None:
        position_check(row, cells, fail)
        code = row.get("code") or ""
        if not code:
            return
        if code in codes:
            fail("code", _("The same code as row %(row)d.") % {"row": codes[code]})
        codes.setdefault(code, row["row"])

    return check


def device_import_read(upload: IO[bytes], *, size: int, schools: Iterable[Unit]) -> ImportRows:
    """Check every row of an uploaded template; a file that is empty, too large, not an xlsx
    or damaged raises a ``DomainError`` (``core.excel.WorkbookError``)."""
    parsers: dict[str, Parser] = {
        "school": lookup_parser(
            lookup_table(schools, lambda s: (s.code, s.name, s.short_name)),
            blank=_("Give the school (its code or name)."),
            # The same answer for a school that does not exist and one out of scope.
            unknown=_("Unknown school, or a school whose devices you may not manage."),
        ),
        "kind": lookup_parser(
            choice_table(DeviceKind.choices),
            blank=_("Choose one from the list."),
            unknown=_("Not in the list; choose one from the list."),
        ),
        "name": text_parser(LIMITS["name"], blank=_("Give the device a name.")),
        "zone": text_parser(LIMITS["zone"]),
        "protocol": lookup_parser(
            choice_table(Protocol.choices),
            unknown=_("Not in the list; choose one from the list."),
            default=Protocol.GENERIC,
        ),
        "vendor": text_parser(LIMITS["vendor"]),
        "heartbeat_seconds": _heartbeat,
        "latitude": latitude_parser(),
        "longitude": longitude_parser(),
        "code": _code,
    }
    return workbook_read(
        upload,
        size=size,
        columns=COLUMNS,
        parsers=parsers,
        check=_row_check(),
        max_rows=MAX_DEVICE_ROWS,
        empty_message=EMPTY,
        too_many_message=TOO_MANY,
    )


# --- the import --------------------------------------------------------------------------


def device_import_workbook(*, actor: Any, upload: IO[bytes], size: int) -> list[tuple[Device, str]]:
    """Register every device of the workbook, or none: ``DeviceImportRejected`` lists every
    bad row (a code already taken included). Returns each device with its secret, which is
    shown once and kept nowhere."""
    schools = list(manageable_schools(actor))
    if not schools:
        raise ForbiddenError(_("You may not manage any school's devices."), code="forbidden")
    read = device_import_read(upload, size=size, schools=schools)
    if read.errors:
        raise DeviceImportRejected(read.errors)
    taken = set(
        Device.objects.filter(code__in=[r["code"] for r in read.rows if r["code"]]).values_list(
            "code", flat=True
        )
    )
    code_label = str(COLUMNS[-1].label)
    errors = [
        RowError(r["row"], code_label, _("This device code is already taken."))
        for r in read.rows
        if r["code"] in taken
    ]
    if errors:
        raise DeviceImportRejected(errors)
    created: list[tuple[Device, str]] = []
    with transaction.atomic():
        for row in read.rows:
            fields = {k: v for k, v in row.items() if k != "row"}
            try:
                created.append(device_register(actor=actor, **fields))
            except DomainError as error:
                errors.append(RowError(row["row"], "", str(error.message)))
        if errors:
            raise DeviceImportRejected(errors)  # leaving the block rolls every row back
        audit_record(
            actor=actor,
            action="security.device.imported",
            object_type=Device._meta.label_lower,
            changes={"rows": len(created), "codes": [d.code for d, _s in created][:50]},
        )
    return created
