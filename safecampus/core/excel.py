"""Excel workbooks every app reads and writes (leads, devices and every import to come).

The import reader is column-generic: an app declares its columns (header text, whether
the column must be there, whether a value is required) and a parser per column, and
gets back either every row parsed or every error with its row and column — never half
of a workbook. Before a byte reaches openpyxl the upload passes the guards (empty, too
large, not an xlsx, a zip bomb); an entity bomb or any other damage found while reading
is refused as a damaged workbook. Writing: formula-safe text, the header row of a
template, a reference to a list on another sheet and the list validation that uses it,
and the HTTP answer that sends a workbook.

Nothing here knows an app: the messages that name what a workbook holds ("no leads",
"more than 500 devices") are the caller's.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any, TypeVar
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from safecampus.core.csv_export import FORMULA_START
from safecampus.core.errors import DomainError

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: An import is tens to hundreds of rows typed by hand; 5 MB holds far more than that.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
#: The parts of a 5 MB workbook unpack to far less; more is a zip bomb.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
#: Excel keeps at most this many characters in a cell.
CELL_MAX = 32767
#: Marks the header of a column whose value is required (``Column.marked``).
REQUIRED_MARK = "*"

THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")

# The main part an xlsx declares; a macro-enabled workbook (.xlsm) declares another.
_SPREADSHEET_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_CONTENT_TYPES_MAX_BYTES = 1024 * 1024  # [Content_Types].xml is a few KiB; more is a bomb

T = TypeVar("T")


class WorkbookError(DomainError):
    """An upload that is no workbook to read: empty, too large, not an xlsx, damaged, or
    without rows (``code`` says which); answered 400 with the message."""


@dataclass(frozen=True)
class RowError:
    """One problem in an uploaded workbook: the row as Excel numbers it, the column header."""

    row: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class CellError(ValueError):
    """Raised by a column parser: the cell's value is wrong, ``message`` says how."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = str(message)


#: A column parser: the raw cell value (None when blank or the column is absent) to the
#: value the row carries, or ``CellError``.
Parser = Callable[[Any], Any]
#: A check across the columns of one row, after the parsers: ``check(row, cells, fail)``
#: with the parsed row (a failed column's value is None), the raw cells by key and
#: ``fail(key, message)``. It may add or replace values of the row.
RowCheck = Callable[[dict[str, Any], Mapping[str, Any], Callable[[str, str], None]], None]


@dataclass(frozen=True)
class Column:
    """A column of an import template.

    ``required``: the header row must have it (else the whole workbook is refused);
    ``marked``: its value is required, and the template's header shows ``REQUIRED_MARK``;
    ``text``: the template formats the column as text (a code like "001" stays as typed).
    """

    key: str
    label: str | Promise
    width: int = 14
    required: bool = True
    marked: bool = False
    text: bool = True

    @property
    def header(self) -> str:
        """The header as the template writes it, in the active language."""
        return f"{self.label}{REQUIRED_MARK}" if self.marked else str(self.label)


@dataclass
class ImportRows:
    """A read workbook: clean rows to import, or the errors that stop the import.

    Each row is a dict by column key, plus ``row``, its number in Excel. When there is any
    error, ``rows`` is empty: the caller never sees half of a workbook.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# --- text ----------------------------------------------------------------------------------


def safe_text(value: Any) -> str:
    """``value`` as text Excel accepts: no XML control characters, at most ``CELL_MAX``."""
    text = "" if value is None else str(value)
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:CELL_MAX]


def is_formula_like(text: str) -> bool:
    """Whether Excel would read ``text`` typed into a cell as a formula."""
    return text.startswith(FORMULA_START)


def normal(label: Any) -> str:
    """A header or a typed name as compared: no spaces, no required mark, casefolded."""
    text = "" if label is None else str(label)
    return "".join(text.split()).rstrip(REQUIRED_MARK + "＊").casefold()


def labels_in_every_language(text: str | Promise) -> set[str]:
    """``text`` (a lazy translation) in every language of the site, each ``normal``-ised: a
    workbook made from the English template is read like one made from the Chinese one."""
    labels = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels.add(normal(str(text)))
    return labels


def cell_text(value: Any) -> str:
    """A cell as trimmed text; a whole number typed in a general cell loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- parsers -------------------------------------------------------------------------------


def text_parser(limit: int, *, blank: str | Promise | None = None) -> Parser:
    """Trimmed text of at most ``limit`` characters; ``blank``: the message when required."""

    def parse(value: Any) -> str:
        text = cell_text(value)
        if len(text) > limit:
            raise CellError(_("Too long: at most %(limit)d characters.") % {"limit": limit})
        if not text and blank is not None:
            raise CellError(blank)
        return text

    return parse


def lookup_table(items: Iterable[T], keys: Callable[[T], Iterable[str]]) -> dict[str, T]:
    """Each item under every ``normal``-ised key it may be named by (the first item wins)."""
    table: dict[str, T] = {}
    for item in items:
        for key in keys(item):
            if key:
                table.setdefault(normal(key), item)
    return table


def choice_table(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """A ``TextChoices``' values by their value and by their label in every language."""
    found: dict[str, str] = {}
    for value, label in choices:
        found[normal(value)] = value
        for text in labels_in_every_language(label):
            found[text] = value
    return found


def lookup_parser(
    table: Mapping[str, Any],
    *,
    unknown: str | Promise,
    blank: str | Promise | None = None,
    default: Any = None,
) -> Parser:
    """The value ``table`` (see ``lookup_table``, ``choice_table``) holds for the typed
    text; a blank cell is ``default``, or an error when ``blank`` gives its message."""

    def parse(value: Any) -> Any:
        text = cell_text(value)
        if not text:
            if blank is not None:
                raise CellError(blank)
            return default
        found = table.get(normal(text))
        if found is None:
            raise CellError(unknown)
        return found

    return parse


def coordinate(value: Any, limit: int) -> Decimal:
    """A WGS-84 degree in [-limit, limit] to six places (about 10 cm); ``ValueError``."""
    try:
        number = Decimal(cell_text(value))
    except InvalidOperation as exc:
        raise ValueError(value) from exc
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValueError(value)
    return number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def _coordinate_parser(limit: int, message: str | Promise) -> Parser:
    def parse(value: Any) -> Decimal | None:
        if not cell_text(value):
            return None
        try:
            return coordinate(value, limit)
        except ValueError as exc:
            raise CellError(message) from exc

    return parse


def latitude_parser() -> Parser:
    """An optional latitude; pair it with ``longitude_parser`` and ``position_check``."""
    return _coordinate_parser(90, _("Latitude must be a number between -90 and 90."))


def longitude_parser() -> Parser:
    """An optional longitude; pair it with ``latitude_parser`` and ``position_check``."""
    return _coordinate_parser(180, _("Longitude must be a number between -180 and 180."))


def position_check(
    row: dict[str, Any], cells: Mapping[str, Any], fail: Callable[[str, str], None]
) -> None:
    """Longitude and latitude (columns ``longitude``, ``latitude``) both given or neither."""
    given = [k for k in ("latitude", "longitude") if cell_text(cells.get(k))]
    if len(given) == 1:
        missing = "latitude" if given == ["longitude"] else "longitude"
        fail(missing, _("Give both longitude and latitude, or neither."))


# --- reading -------------------------------------------------------------------------------


def _is_xlsx(upload: IO[bytes]) -> bool:
    """An Office Open XML package whose main part is a workbook (not .xlsm, not .docx).

    The same test as the attachments' sniffer (core may not import it). The manifest is
    searched as text, never parsed as XML, so nothing in the upload expands entities.
    """
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    if head != b"PK\x03\x04":
        return False
    try:
        with zipfile.ZipFile(upload) as archive:
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX_BYTES:
                return False
            manifest = archive.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError):
        return False
    finally:
        upload.seek(0)
    declared = set(re.findall(r'ContentType\s*=\s*"([^"]+)"', manifest))
    return _SPREADSHEET_MAIN in declared and _WORD_MAIN not in declared


def package_check(upload: IO[bytes], size: int) -> None:
    """Refuse, with ``WorkbookError``, an upload that is empty, larger than
    ``MAX_IMPORT_BYTES``, not an xlsx, damaged, or that unpacks past ``MAX_UNPACKED_BYTES``
    (the sizes the zip directory declares are checked before anything is unpacked)."""
    if size <= 0:
        raise WorkbookError(_("The file is empty."), code="empty_file")
    if size > MAX_IMPORT_BYTES:
        raise WorkbookError(
            _("The file is larger than %(size)s.") % {"size": filesizeformat(MAX_IMPORT_BYTES)},
            code="too_large",
        )
    if not _is_xlsx(upload):
        raise WorkbookError(
            _("This is not an Excel workbook (.xlsx). Download the template and fill it in."),
            code="not_xlsx",
        )
    try:
        with zipfile.ZipFile(upload) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookError(
            _("The workbook is damaged and cannot be read."), code="corrupt"
        ) from exc
    upload.seek(0)
    if unpacked > MAX_UNPACKED_BYTES:
        raise WorkbookError(_("The workbook is too large once unpacked."), code="too_large")


def header_positions(
    cells: Sequence[Any], columns: Sequence[Column]
) -> tuple[dict[str, int], list[RowError]]:
    """Which position of the header row holds which column (its header in any language,
    with or without the mark); every ``required`` column missing is an error on row 1."""
    wanted = {c.key: labels_in_every_language(c.label) for c in columns}
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        text = normal(cell)
        for key, labels in wanted.items():
            if text in labels and key not in positions:
                positions[key] = index
    errors = [
        RowError(1, str(c.label), _("This column is missing; use the template."))
        for c in columns
        if c.required and c.key not in positions
    ]
    return positions, errors


def _blank(values: Sequence[Any]) -> bool:
    return all(cell_text(v) == "" for v in values)


@dataclass
class _Reading:
    """One read of a workbook: the declared columns with their parsers and limits."""

    columns: Sequence[Column]
    parsers: Mapping[str, Parser]
    check: RowCheck | None
    max_rows: int
    empty_message: str | Promise
    too_many_message: str | Promise

    def row(self, number: int, cells: dict[str, Any]) -> tuple[dict[str, Any], list[RowError]]:
        order = {c.key: index for index, c in enumerate(self.columns)}
        labels = {c.key: str(c.label) for c in self.columns}
        found: list[tuple[int, RowError]] = []

        def fail(key: str, message: str) -> None:
            found.append((order.get(key, len(order)), RowError(number, labels[key], message)))

        row: dict[str, Any] = {"row": number}
        for column in self.columns:
            parse = self.parsers.get(column.key, cell_text)
            try:
                row[column.key] = parse(cells.get(column.key))
            except CellError as error:
                row[column.key] = None
                fail(column.key, error.message)
        if self.check is not None:
            self.check(row, cells, fail)
        # In the order of the columns, as a reader scans the row, whichever check found it.
        found.sort(key=lambda item: item[0])
        return row, [error for _position, error in found]

    def sheet(self, sheet: Any) -> ImportRows:
        rows_iter = sheet.iter_rows(values_only=True)
        header = next(rows_iter, None)
        if header is None or _blank(header):
            raise WorkbookError(self.empty_message, code="empty")
        positions, errors = header_positions(header, self.columns)
        if errors:
            return ImportRows([], errors)
        rows: list[dict[str, Any]] = []
        for number, values in enumerate(rows_iter, start=2):
            if values is None or _blank(values):
                continue
            if len(rows) >= self.max_rows:
                raise WorkbookError(
                    str(self.too_many_message) % {"limit": self.max_rows}, code="too_many_rows"
                )
            cells = {k: values[i] if i < len(values) else None for k, i in positions.items()}
            row, row_errors = self.row(number, cells)
            rows.append(row)
            errors.extend(row_errors)
        if not rows:
            raise WorkbookError(self.empty_message, code="empty")
        return ImportRows([] if errors else rows, errors)


def _input_sheet(workbook: Any, title: str | Promise | None) -> Any:
    """The sheet called ``title`` in any language, else the first one."""
    if title is not None:
        names = labels_in_every_language(title)
        for sheet in workbook.worksheets:
            if normal(sheet.title) in names:
                return sheet
    return workbook.worksheets[0]


def workbook_read(
    upload: IO[bytes],
    *,
    size: int,
    columns: Sequence[Column],
    parsers: Mapping[str, Parser],
    max_rows: int,
    empty_message: str | Promise,
    too_many_message: str | Promise,
    check: RowCheck | None = None,
    sheet: str | Promise | None = None,
) -> ImportRows:
    """Read an uploaded template: its header row against ``columns``, then every row that is
    not blank through ``parsers`` (by column key; text when a column has none) and
    ``check``, with every error by row and column.

    Raises ``WorkbookError`` for a file that fails ``package_check``, is damaged, has no
    header or no row (``empty_message``), or more than ``max_rows`` rows
    (``too_many_message``, with ``%(limit)d``). ``sheet``: the title of the input sheet in
    any language (else the first sheet).
    """
    package_check(upload, size)
    reading = _Reading(columns, parsers, check, max_rows, empty_message, too_many_message)
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a malformed package
        raise WorkbookError(
            _("The workbook is damaged and cannot be read."), code="corrupt"
        ) from exc
    try:
        return reading.sheet(_input_sheet(workbook, sheet))
    except DomainError:
        raise
    except Exception as exc:  # read-only sheets parse lazily: damage (or an entity bomb,
        # which the XML parser refuses) shows while iterating
        raise WorkbookError(
            _("The workbook is damaged and cannot be read."), code="corrupt"
        ) from exc
    finally:
        workbook.close()


# --- writing -------------------------------------------------------------------------------


def header_row(sheet: Any, labels: Sequence[str], widths: Sequence[int]) -> None:
    """Write a template's header on row 1 of ``sheet`` (bold, filled, bordered, wrapped),
    set the column widths and freeze the header."""
    for index, (label, width) in enumerate(zip(labels, widths, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=label)
        cell.font, cell.fill, cell.border = Font(bold=True), HEADER_FILL, BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"


def list_ref(sheet_title: str, column: str, count: int) -> str:
    """The formula naming the ``count`` values below the header of ``column`` (a letter) on
    the sheet ``sheet_title``: the source of a list validation."""
    return f"'{sheet_title}'!${column}$2:${column}${max(count, 1) + 1}"


def list_validation(
    formula: str, *, column: int, rows: int, prompt: str = "", title: str = ""
) -> DataValidation:
    """A drop-down list from ``formula`` on rows 2 to ``rows + 1`` of ``column`` (1-based).

    Its error style is "warning": the list helps, but a value typed in by hand (a code
    from the lists sheet) is still allowed. ``prompt`` and ``title``: the warning shown.
    """
    letter = get_column_letter(column)
    options: dict[str, Any] = {}
    if prompt:
        options = {"showErrorMessage": True, "error": prompt, "errorTitle": title}
    validation = DataValidation(
        type="list", formula1=formula, allow_blank=True, errorStyle="warning", **options
    )
    validation.add(f"{letter}2:{letter}{rows + 1}")
    return validation


def xlsx_response(out: IO[bytes], *, filename: str, no_store: bool = False) -> FileResponse:
    """``out`` (rewound; closed once sent) as a download of an xlsx named ``filename``.

    RFC 6266 with only the RFC 5987 UTF-8 form of the name, as attachments are sent;
    ``nosniff`` so that no browser takes the workbook for anything else.
    """
    response = FileResponse(out, content_type=XLSX_MIME)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
    response["X-Content-Type-Options"] = "nosniff"
    if no_store:
        response["Cache-Control"] = "private, no-store"
    return response
