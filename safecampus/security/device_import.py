"""Registering many devices from an Excel workbook (设备批量导入): the template, the reader
and the import — every row registered, or none and every error listed by row and column.

The workbook plumbing (package checks, header matching in every language, cell reading,
coordinates, the header style) is the leads ledger's; only the columns are ours.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from safecampus.audit.services import audit_record
from safecampus.core.errors import DomainError, ForbiddenError
from safecampus.leads.excel.common import MAX_IMPORT_BYTES, safe_text
from safecampus.leads.excel.reader import (
    RowError,
    _cell_text,
    _check_package,
    _coordinate,
    _labels_in_every_language,
    _normal,
)
from safecampus.leads.excel.template import _header_row, _list_ref
from safecampus.organizations.models import Unit
from safecampus.security.choices import DeviceKind, Protocol
from safecampus.security.models import Device
from safecampus.security.selectors_devices import manageable_schools
from safecampus.security.services import DeviceError, device_register

#: Each row is one registration (a handful of queries and an audit row): 500 rows take a
#: few seconds, well inside one request.
MAX_DEVICE_ROWS = 500
MAX_HEARTBEAT_SECONDS = 86_400
INPUT_SHEET = pgettext_lazy("device import", "Devices")
LISTS_SHEET = pgettext_lazy("device import", "Lists")
REQUIRED_MARK = "*"


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    width: int
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("school", pgettext_lazy("device import", "School"), 24, required=True),
    Column("kind", pgettext_lazy("device import", "Kind"), 28, required=True),
    Column("name", pgettext_lazy("device import", "Device name"), 24, required=True),
    Column("zone", pgettext_lazy("device import", "Zone"), 14),
    Column("protocol", pgettext_lazy("device import", "Protocol"), 22),
    Column("vendor", pgettext_lazy("device import", "Vendor"), 14),
    Column("heartbeat", pgettext_lazy("device import", "Heartbeat (seconds)"), 12),
    Column("longitude", pgettext_lazy("device import", "Longitude"), 12),
    Column("latitude", pgettext_lazy("device import", "Latitude"), 12),
    Column("code", pgettext_lazy("device import", "Device code (optional)"), 20),
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


def _header_text(column: Column) -> str:
    return f"{column.label}{REQUIRED_MARK}" if column.required else str(column.label)


def device_import_template(out: IO[bytes], *, schools: Iterable[Unit]) -> None:
    """The workbook to fill in: the input sheet with lists to pick from, and the lists."""
    schools = list(schools)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = str(INPUT_SHEET)
    _header_row(sheet, [_header_text(c) for c in COLUMNS], [c.width for c in COLUMNS])
    for index in range(1, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].number_format = "@"
    lists = workbook.create_sheet(str(LISTS_SHEET))
    columns = [
        (pgettext("device import", "School code"), [s.code for s in schools]),
        (pgettext("device import", "School"), [s.name for s in schools]),
        (pgettext("device import", "Kind"), [str(label) for label in DeviceKind.labels]),
        (pgettext("device import", "Protocol"), [str(label) for label in Protocol.labels]),
    ]
    _header_row(lists, [h for h, _v in columns], [14, 30, 34, 30])
    for index, (_h, values) in enumerate(columns, start=1):
        for row, value in enumerate(values, start=2):
            lists.cell(row=row, column=index, value=safe_text(value)).data_type = "s"
    for key, letter, count in (
        ("school", "A", len(schools)),
        ("kind", "C", len(DeviceKind.labels)),
        ("protocol", "D", len(Protocol.labels)),
    ):
        # "warning": the list helps, but a name typed in by hand is still allowed.
        validation = DataValidation(
            type="list",
            formula1=_list_ref(lists.title, letter, count),
            allow_blank=True,
            errorStyle="warning",
        )
        target = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
        validation.add(f"{target}2:{target}{MAX_DEVICE_ROWS + 1}")
        sheet.add_data_validation(validation)
    note = lists.cell(row=max(len(schools), 6) + 3, column=1)
    note.value = _(
        "One device per row on the first sheet; columns marked %(mark)s are required. "
        "Heartbeat: seconds between two signs of life (default 60). At most %(rows)d rows "
        "and %(size)s; if any row is wrong, nothing is registered."
    ) % {"mark": REQUIRED_MARK, "rows": MAX_DEVICE_ROWS, "size": filesizeformat(MAX_IMPORT_BYTES)}
    note.font = Font(italic=True)
    workbook.save(out)


# --- the reader --------------------------------------------------------------------------


def _choices(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    found: dict[str, str] = {}
    for value, label in choices:
        found[_normal(value)] = value
        for text in _labels_in_every_language(label):
            found[text] = value
    return found


class _RowReader:
    def __init__(self, schools: Iterable[Unit]) -> None:
        self.labels = {c.key: str(c.label) for c in COLUMNS}
        self.schools: dict[str, Unit] = {}
        for school in schools:
            for key in (school.code, school.name, school.short_name):
                if key:
                    self.schools.setdefault(_normal(key), school)
        self.kinds = _choices(DeviceKind.choices)
        self.protocols = _choices(Protocol.choices)
        self.codes: dict[str, int] = {}

    def read(self, number: int, values: dict[str, Any]) -> tuple[dict[str, Any], list[RowError]]:
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(RowError(number, self.labels[key], message))

        row: dict[str, Any] = {"row": number}
        for key, limit in LIMITS.items():
            text = _cell_text(values.get(key))
            if len(text) > limit:
                fail(key, _("Too long: at most %(limit)d characters.") % {"limit": limit})
            row[key] = text[:limit]
        if not row["name"]:
            fail("name", _("Give the device a name."))
        row["school"] = self._school(values, fail)
        row["kind"] = self._choice(values, "kind", self.kinds, "", fail)
        row["protocol"] = self._choice(values, "protocol", self.protocols, Protocol.GENERIC, fail)
        row["heartbeat_seconds"] = self._heartbeat(values, fail)
        row["latitude"], row["longitude"] = self._position(values, fail)
        self._code(number, row, fail)
        return row, errors

    def _school(self, values: dict[str, Any], fail: Callable[[str, str], None]) -> Unit | None:
        text = _cell_text(values.get("school"))
        if not text:
            fail("school", _("Give the school (its code or name)."))
            return None
        school = self.schools.get(_normal(text))
        if school is None:
            # The same answer for a school that does not exist and one out of scope.
            fail("school", _("Unknown school, or a school whose devices you may not manage."))
        return school

    def _choice(
        self,
        values: dict[str, Any],
        key: str,
        known: dict[str, str],
        default: str,
        fail: Callable[[str, str], None],
    ) -> str:
        text = _cell_text(values.get(key))
        if not text:
            if not default:
                fail(key, _("Choose one from the list."))
            return default
        value = known.get(_normal(text))
        if value is None:
            fail(key, _("Not in the list; choose one from the list."))
            return default
        return value

    def _heartbeat(self, values: dict[str, Any], fail: Callable[[str, str], None]) -> int:
        text = _cell_text(values.get("heartbeat"))
        if not text:
            return 60
        try:
            seconds = int(Decimal(text))
        except (ArithmeticError, ValueError):
            seconds = 0
        if not 5 <= seconds <= MAX_HEARTBEAT_SECONDS:
            fail(
                "heartbeat",
                _("A whole number of seconds from 5 to %(max)d.") % {"max": MAX_HEARTBEAT_SECONDS},
            )
            return 60
        return seconds

    def _position(
        self, values: dict[str, Any], fail: Callable[[str, str], None]
    ) -> tuple[Decimal | None, Decimal | None]:
        found: dict[str, Decimal | None] = {"latitude": None, "longitude": None}
        for key, limit, message in (
            ("latitude", 90, _("Latitude must be a number between -90 and 90.")),
            ("longitude", 180, _("Longitude must be a number between -180 and 180.")),
        ):
            if _cell_text(values.get(key)):
                try:
                    found[key] = _coordinate(values.get(key), limit)
                except ValueError:
                    fail(key, message)
        given = [k for k in ("latitude", "longitude") if _cell_text(values.get(k))]
        if len(given) == 1:
            missing = "latitude" if given == ["longitude"] else "longitude"
            fail(missing, _("Give both longitude and latitude, or neither."))
        return found["latitude"], found["longitude"]

    def _code(self, number: int, row: dict[str, Any], fail: Callable[[str, str], None]) -> None:
        code = row["code"] = row["code"].upper()
        if not code:
            return
        if code in self.codes:
            fail("code", _("The same code as row %(row)d.") % {"row": self.codes[code]})
        self.codes.setdefault(code, number)


@dataclass
class ImportRows:
    rows: list[dict[str, Any]]
    errors: list[RowError]


def _header(cells: Iterable[Any]) -> tuple[dict[str, int], list[RowError]]:
    wanted = {c.key: _labels_in_every_language(c.label) for c in COLUMNS}
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = _normal(cell)
        for key, labels in wanted.items():
            if text in labels and key not in positions:
                positions[key] = index
    errors = [
        RowError(1, str(c.label), _("This column is missing; use the template."))
        for c in COLUMNS
        if c.required and c.key not in positions
    ]
    return positions, errors


def _read_rows(sheet: Any, reader: _RowReader) -> ImportRows:
    rows_iter = sheet.iter_rows(values_only=True)
    header = next(rows_iter, None)
    empty = DeviceError(_("The workbook holds no devices."), code="empty")
    if header is None or all(_cell_text(v) == "" for v in header):
        raise empty
    positions, errors = _header(header)
    if errors:
        return ImportRows([], errors)
    rows: list[dict[str, Any]] = []
    for number, values in enumerate(rows_iter, start=2):
        if values is None or all(_cell_text(v) == "" for v in values):
            continue
        if len(rows) >= MAX_DEVICE_ROWS:
            raise DeviceError(
                _("The workbook holds more than %(limit)d devices; split it into several files.")
                % {"limit": MAX_DEVICE_ROWS},
                code="too_many_rows",
            )
        named = {k: values[i] if i < len(values) else None for k, i in positions.items()}
        row, row_errors = reader.read(number, named)
        rows.append(row)
        errors.extend(row_errors)
    if not rows:
        raise empty
    return ImportRows([] if errors else rows, errors)


def device_import_read(upload: IO[bytes], *, size: int, schools: Iterable[Unit]) -> ImportRows:
    """Check every row of an uploaded template; a file that is empty, too large, not an xlsx
    or damaged raises a ``DomainError``."""
    _check_package(upload, size)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a malformed package
        raise DeviceError(_("The workbook is damaged and cannot be read."), code="corrupt") from exc
    try:
        return _read_rows(workbook.worksheets[0], _RowReader(schools))
    except DomainError:
        raise
    except Exception as exc:  # read-only sheets parse lazily: damage shows while iterating
        raise DeviceError(_("The workbook is damaged and cannot be read."), code="corrupt") from exc
    finally:
        workbook.close()


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
