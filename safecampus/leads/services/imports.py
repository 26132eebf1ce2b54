"""Importing leads collected offline (线索导入) from the workbook template: all rows or none."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.cases.errors import CasePermissionDenied
from safecampus.leads.choices import LeadSource
from safecampus.leads.errors import LeadError
from safecampus.leads.excel import MAX_IMPORT_ROWS, ImportRejected, import_read
from safecampus.leads.models import Lead
from safecampus.leads.permissions import may_import
from safecampus.leads.selectors.leads import category_list, import_schools
from safecampus.leads.services.leads import lead_report

#: The keys of a clean row (``excel.import_read``) that ``lead_report`` takes.
ROW_FIELDS = (
    "category",
    "description",
    "place",
    "school",
    "occurred_at",
    "latitude",
    "longitude",
    "persons_involved",
    "victims",
    "urgency",
)


def _require_importer(actor: Any) -> None:
    if not may_import(actor):
        raise CasePermissionDenied(_("You are not allowed to import leads."), code="forbidden")


def lead_import(*, actor: Any, rows: Sequence[Mapping[str, Any]]) -> list[Lead]:
    """Create one lead per clean row, in one transaction: any refusal stores nothing.

    Each lead takes the same path as one reported inside the app (``lead_report``):
    its reference, the automatic report to the safety section, the time limit to
    acknowledge it, a timeline event and its audit rows; its source is "imported".
    One more audit row, ``leads.lead.imported``, records the import as a whole.
    """
    _require_importer(actor)
    if not rows:
        raise LeadError(_("The workbook holds no leads."), code="empty")
    if len(rows) > MAX_IMPORT_ROWS:
        raise LeadError(
            _("The workbook holds more than %(limit)d leads; split it into several files.")
            % {"limit": MAX_IMPORT_ROWS},
            code="too_many_rows",
        )
    leads: list[Lead] = []
    with transaction.atomic():
        for row in rows:
            fields = {key: row[key] for key in ROW_FIELDS if key in row}
            try:
                leads.append(lead_report(actor=actor, source=LeadSource.IMPORT, **fields))
            except LeadError as error:
                raise LeadError(
                    _("Row %(row)s: %(message)s") % {"row": row.get("row"), "message": error},
                    code=error.code,
                ) from error
        audit_record(
            actor=actor,
            action="leads.lead.imported",
            object_type=Lead._meta.label_lower,
            changes={"count": len(leads), "references": [lead.reference for lead in leads]},
        )
    return leads


def lead_import_workbook(*, actor: Any, upload: IO[bytes], size: int) -> list[Lead]:
    """Read an uploaded template and import it; ``ImportRejected`` lists every bad row.

    The actor's right to import is checked before the file is read.
    """
    _require_importer(actor)
    result = import_read(
        upload, size=size, categories=category_list(), schools=import_schools(actor)
    )
    if result.errors:
        raise ImportRejected(result.errors)
    return lead_import(actor=actor, rows=result.rows)
