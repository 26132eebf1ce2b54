"""Reading a filled-in template: every row checked, all clean or every error listed."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import load_workbook

from safecampus.attachments.filetypes import XLSX, sniff
from safecampus.core.localtime import CHINA_TZ
from safecampus.leads.choices import Urgency
from safecampus.leads.errors import LeadError
from safecampus.leads.excel.common import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    MAX_UNPACKED_BYTES,
)
from safecampus.leads.excel.template import IMPORT_COLUMNS, INPUT_SHEET, REQUIRED_MARK
from safecampus.leads.forms import LeadReportForm
from safecampus.leads.models import Lead, LeadCategory
from safecampus.organizations.models import Unit


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded workbook: the row as Excel numbers it, the column header."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportRejected(LeadError):
    """The workbook was read but some rows (or its header) are wrong; nothing is imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            ngettext(
                "The workbook has %(count)d error; nothing was imported. Correct it and "
                "upload the workbook again.",
                "The workbook has %(count)d errors; nothing was imported. Correct them and "
                "upload the workbook again.",
                len(errors),
            )
            % {"count": len(errors)},
            code="rows_invalid",
        )
        self.errors = errors


def _normal(label: Any) -> str:
    text = "" if label is None else str(label)
    return "".join(text.split()).rstrip(REQUIRED_MARK + "＊").casefold()


def _labels_in_every_language(text: str | Promise) -> set[str]:
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(_normal(str(text)))
    return labels


def _check_package(upload: IO[bytes], size: int) -> None:
    if size <= 0:
        raise LeadError(_("The file is empty."), code="empty_file")
    if size > MAX_IMPORT_BYTES:
        raise LeadError(
            _("The file is larger than %(size)s.") % {"size": filesizeformat(MAX_IMPORT_BYTES)},
            code="too_large",
        )
    if sniff(upload) is not XLSX:
        raise LeadError(
            _("This is not an Excel workbook (.xlsx). Download the template and fill it in."),
            code="not_xlsx",
        )
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise LeadError(_("The workbook is damaged and cannot be read."), code="corrupt") from exc
    upload.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise LeadError(_("The workbook is too large once unpacked."), code="too_large")


class _Lookups:
    """What a row may name: active categories by code or name, the importer's schools."""

    def __init__(self, categories: Iterable[LeadCategory], schools: Iterable[Unit]) -> None:
        self.categories: dict[str, LeadCategory] = {}
        for category in categories:
            self.categories.setdefault(category.code.casefold(), category)
            self.categories.setdefault(_normal(category.name), category)
        self.schools: dict[str, Unit] = {}
        for school in schools:
            for key in (school.code, school.name, school.short_name):
                if key:
                    self.schools.setdefault(_normal(key), school)
        self.urgencies: dict[str, str] = {}
        for value, label in Urgency.choices:
            self.urgencies[_normal(value)] = value
            for text in _labels_in_every_language(label):
                self.urgencies[text] = value


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d %H:%M",
    "%Y.%m.%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y年%m月%d日",
)


def _when(value: Any) -> datetime:
    """A moment from a date cell or text, in China time; ``ValueError`` when it is none."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = " ".join(value.split())
        for pattern in _DATE_FORMATS:
            try:
                moment = datetime.strptime(text, pattern)
                break
            except ValueError:
                continue
        else:
            raise ValueError(text)
    else:
        raise ValueError(value)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=CHINA_TZ)
    return moment


def _coordinate(value: Any, limit: int) -> Decimal:
    try:
        number = Decimal(_cell_text(value))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValueError(value)
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _limits() -> dict[str, int]:
    """The same limits as the report form and the model, so an imported lead fits them too."""
    form = LeadReportForm.base_fields
    return {
        "place": Lead._meta.get_field("place").max_length or 200,
        "description": form["description"].max_length,  # type: ignore[attr-defined]
        "persons_involved": form["persons_involved"].max_length,  # type: ignore[attr-defined]
        "victims": form["victims"].max_length,  # type: ignore[attr-defined]
    }


class _RowReader:
    def __init__(self, lookups: _Lookups, now: datetime) -> None:
        self.lookups, self.now, self.limits = lookups, now, _limits()
        self.labels = {c.key: str(c.label) for c in IMPORT_COLUMNS}

    def read(self, number: int, values: dict[str, Any]) -> tuple[dict[str, Any], list[RowError]]:
        errors: list[RowError] = []

        def fail(key: str, message: str) -> None:
            errors.append(RowError(number, self.labels[key], message))

        row: dict[str, Any] = {"row": number}
        for key, limit in self.limits.items():
            text = _cell_text(values.get(key))
            if len(text) > limit:
                fail(key, _("Too long: at most %(limit)d characters.") % {"limit": limit})
            row[key] = text
        if not row["description"]:
            fail("description", _("Describe what happened."))
        row["category"] = self._category(values, fail)
        row["school"] = self._school(values, fail)
        row["occurred_at"] = self._occurred_at(values, fail)
        row["urgency"] = self._urgency(values, fail)
        row["latitude"], row["longitude"] = self._position(values, fail)
        return row, errors

    def _category(self, values: dict[str, Any], fail: Callable[[str, str], None]) -> Any:
        text, sub_text = _cell_text(values.get("category")), _cell_text(values.get("subcategory"))
        if not text:
            fail("category", _("Give the category."))
            return None
        category = self.lookups.categories.get(_normal(text))
        if category is None:
            fail("category", _("Unknown category."))
            return None
        if not sub_text:
            return category
        sub = self.lookups.categories.get(_normal(sub_text))
        if sub is None:
            fail("subcategory", _("Unknown category."))
        elif sub.pk != category.pk and sub.parent_id != category.pk:
            fail("subcategory", _("This sub-type does not belong to the category."))
        return sub

    def _school(self, values: dict[str, Any], fail: Callable[[str, str], None]) -> Unit | None:
        text = _cell_text(values.get("school"))
        if not text:
            return None
        school = self.lookups.schools.get(_normal(text))
        if school is None:
            # The same answer for a school that does not exist and one out of scope.
            fail("school", _("Unknown school, or a school outside your scope."))
        return school

    def _occurred_at(self, values: dict[str, Any], fail: Callable[[str, str], None]) -> Any:
        raw = values.get("occurred_at")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            moment = _when(raw)
        except ValueError:
            fail("occurred_at", _("Not a date and time; write it as 2026-03-10 16:30."))
            return None
        if moment > self.now:
            fail("occurred_at", _("This time is in the future."))
        return moment

    def _urgency(self, values: dict[str, Any], fail: Callable[[str, str], None]) -> str:
        text = _cell_text(values.get("urgency"))
        if not text:
            return Urgency.NORMAL
        urgency = self.lookups.urgencies.get(_normal(text))
        if urgency is None:
            fail("urgency", _("Unknown urgency; choose one from the list."))
            return Urgency.NORMAL
        return urgency

    def _position(
        self, values: dict[str, Any], fail: Callable[[str, str], None]
    ) -> tuple[Decimal | None, Decimal | None]:
        found: dict[str, Decimal | None] = {}
        for key, limit, message in (
            ("latitude", 90, _("Latitude must be a number between -90 and 90.")),
            ("longitude", 180, _("Longitude must be a number between -180 and 180.")),
        ):
            raw = values.get(key)
            found[key] = None
            if _cell_text(raw):
                try:
                    found[key] = _coordinate(raw, limit)
                except ValueError:
                    fail(key, message)
        given = [k for k in ("latitude", "longitude") if _cell_text(values.get(k))]
        if len(given) == 1:
            missing = "latitude" if given == ["longitude"] else "longitude"
            fail(missing, _("Give both longitude and latitude, or neither."))
        return found["latitude"], found["longitude"]


def _header(cells: Sequence[Any]) -> tuple[dict[str, int], list[RowError]]:
    """Which column holds which field; every required column must be there."""
    wanted = {c.key: _labels_in_every_language(c.label) for c in IMPORT_COLUMNS}
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = _normal(cell)
        for key, labels in wanted.items():
            if text in labels and key not in positions:
                positions[key] = index
    errors = [
        RowError(1, str(c.label), _("This column is missing; use the template."))
        for c in IMPORT_COLUMNS
        if c.required_column and c.key not in positions
    ]
    return positions, errors


def _input_sheet(workbook: Any) -> Any:
    names = _labels_in_every_language(INPUT_SHEET)
    for sheet in workbook.worksheets:
        if _normal(sheet.title) in names:
            return sheet
    return workbook.worksheets[0]


@dataclass
class ImportRows:
    """A read workbook: clean rows to import, or the errors that stop the import."""

    rows: list[dict[str, Any]]
    errors: list[RowError]


def _blank(values: Sequence[Any]) -> bool:
    return all(_cell_text(v) == "" for v in values)


def _read_rows(sheet: Any, reader: _RowReader) -> ImportRows:
    rows_iter = sheet.iter_rows(values_only=True)
    header = next(rows_iter, None)
    if header is None or _blank(header):
        raise LeadError(_("The workbook holds no leads."), code="empty")
    positions, errors = _header(header)
    if errors:
        return ImportRows([], errors)
    rows: list[dict[str, Any]] = []
    for number, values in enumerate(rows_iter, start=2):
        if values is None or _blank(values):
            continue
        if len(rows) >= MAX_IMPORT_ROWS:
            raise LeadError(
                _("The workbook holds more than %(limit)d leads; split it into several files.")
                % {"limit": MAX_IMPORT_ROWS},
                code="too_many_rows",
            )
        named = {k: values[i] if i < len(values) else None for k, i in positions.items()}
        row, row_errors = reader.read(number, named)
        rows.append(row)
        errors.extend(row_errors)
    if not rows:
        raise LeadError(_("The workbook holds no leads."), code="empty")
    return ImportRows([] if errors else rows, errors)


def import_read(
    upload: IO[bytes],
    *,
    size: int,
    categories: Iterable[LeadCategory],
    schools: Iterable[Unit],
    now: datetime | None = None,
) -> ImportRows:
    """Read an uploaded workbook made from ``import_template``.

    A file that is empty, too large, not an xlsx or damaged raises ``LeadError``. Otherwise
    every row is checked (required description, known category and sub-type, a school among
    ``schools``, a past date, coordinates in range, lengths within the report form's limits)
    and either all rows come back clean or every error comes back with its row and column.
    """
    _check_package(upload, size)
    reader = _RowReader(_Lookups(categories, schools), now or timezone.now())
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a malformed package
        raise LeadError(_("The workbook is damaged and cannot be read."), code="corrupt") from exc
    try:
        return _read_rows(_input_sheet(workbook), reader)
    except LeadError:
        raise
    except Exception as exc:  # read-only sheets parse lazily: damage shows while iterating
        raise LeadError(_("The workbook is damaged and cannot be read."), code="corrupt") from exc
    finally:
        workbook.close()
