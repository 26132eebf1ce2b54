"""Reading a filled-in lead template with the core reader: the leads' parsers (categories
and sub-types, the importer's schools, the date, the urgency) and the lengths of the
report form, so that an imported lead fits what the app accepts from its own form."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from safecampus.core.excel import (
    CellError,
    ImportRows,
    Parser,
    RowError,
    cell_text,
    choice_table,
    latitude_parser,
    longitude_parser,
    lookup_parser,
    lookup_table,
    normal,
    position_check,
    text_parser,
    workbook_read,
)
from safecampus.core.localtime import CHINA_TZ
from safecampus.leads.choices import Urgency
from safecampus.leads.errors import LeadError
from safecampus.leads.excel.common import MAX_IMPORT_ROWS
from safecampus.leads.excel.template import IMPORT_COLUMNS, INPUT_SHEET
from safecampus.leads.forms import LeadReportForm
from safecampus.leads.models import Lead, LeadCategory
from safecampus.organizations.models import Unit

EMPTY = gettext_lazy("The workbook holds no leads.")
TOO_MANY = gettext_lazy(
    "The workbook holds more than %(limit)d leads; split it into several files."
)


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


def _occurred_at(now: datetime) -> Parser:
    def parse(value: Any) -> datetime | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            moment = _when(value)
        except ValueError as exc:
            raise CellError(_("Not a date and time; write it as 2026-03-10 16:30.")) from exc
        if moment > now:
            raise CellError(_("This time is in the future."))
        return moment

    return parse


def _limits() -> dict[str, int]:
    """The same limits as the report form and the model, so an imported lead fits them too."""
    form = LeadReportForm.base_fields
    return {
        "place": Lead._meta.get_field("place").max_length or 200,
        "description": form["description"].max_length,  # type: ignore[attr-defined]
        "persons_involved": form["persons_involved"].max_length,  # type: ignore[attr-defined]
        "victims": form["victims"].max_length,  # type: ignore[attr-defined]
    }


def _category_check(
    categories: Mapping[str, LeadCategory],
) -> Callable[[dict[str, Any], Mapping[str, Any], Callable[[str, str], None]], None]:
    """The category and its sub-type together: the row's ``category`` becomes the sub-type
    when one is given (it must belong to the category), else the category."""

    def check(
        row: dict[str, Any], cells: Mapping[str, Any], fail: Callable[[str, str], None]
    ) -> None:
        position_check(row, cells, fail)
        text, sub_text = cell_text(cells.get("category")), cell_text(cells.get("subcategory"))
        row["category"] = None
        if not text:
            fail("category", _("Give the category."))
            return
        category = categories.get(normal(text))
        if category is None:
            fail("category", _("Unknown category."))
            return
        row["category"] = category
        if not sub_text:
            return
        sub = categories.get(normal(sub_text))
        if sub is None:
            fail("subcategory", _("Unknown category."))
        elif sub.pk != category.pk and sub.parent_id != category.pk:
            fail("subcategory", _("This sub-type does not belong to the category."))
        row["category"] = sub

    return check


def import_read(
    upload: IO[bytes],
    *,
    size: int,
    categories: Iterable[LeadCategory],
    schools: Iterable[Unit],
    now: datetime | None = None,
) -> ImportRows:
    """Read an uploaded workbook made from ``import_template``.

    A file that is empty, too large, not an xlsx or damaged raises ``WorkbookError``.
    Otherwise every row is checked (required description, known category and sub-type, a
    school among ``schools``, a past date, coordinates in range, lengths within the report
    form's limits) and either all rows come back clean or every error comes back with its
    row and column.
    """
    # A category is named by its code (as typed, casefolded), its name or its English name
    # (a template downloaded in English lists those); the first wins.
    found: dict[str, LeadCategory] = {}
    for category in categories:
        found.setdefault(category.code.casefold(), category)
        found.setdefault(normal(category.name), category)
        if category.name_en:
            found.setdefault(normal(category.name_en), category)
    required = {"description": _("Describe what happened.")}
    parsers: dict[str, Parser] = {
        key: text_parser(limit, blank=required.get(key)) for key, limit in _limits().items()
    }
    parsers |= {
        "school": lookup_parser(
            lookup_table(schools, lambda s: (s.code, s.name, s.short_name)),
            # The same answer for a school that does not exist and one out of scope.
            unknown=_("Unknown school, or a school outside your scope."),
        ),
        "occurred_at": _occurred_at(now or timezone.now()),
        "urgency": lookup_parser(
            choice_table(Urgency.choices),
            unknown=_("Unknown urgency; choose one from the list."),
            default=Urgency.NORMAL,
        ),
        "latitude": latitude_parser(),
        "longitude": longitude_parser(),
    }
    return workbook_read(
        upload,
        size=size,
        columns=IMPORT_COLUMNS,
        parsers=parsers,
        check=_category_check(found),
        max_rows=MAX_IMPORT_ROWS,
        empty_message=EMPTY,
        too_many_message=TOO_MANY,
        sheet=INPUT_SHEET,
    )
