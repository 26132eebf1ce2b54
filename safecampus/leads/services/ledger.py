"""The audited export of the ledger (线索台账) as the workbook a bureau files: the leads the
ledger page shows for the same filters, the title and the line that says what was left
out. The export is a write because it leaves an audit row (who took which rows out)."""

from __future__ import annotations

import tempfile
from datetime import datetime
from typing import IO, Any

from django.db.models import Model, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from safecampus.audit.services import audit_record
from safecampus.core.localtime import CHINA_TZ
from safecampus.leads import excel
from safecampus.leads.choices import LeadStatus
from safecampus.leads.forms import LeadFilterForm
from safecampus.leads.models import Lead
from safecampus.leads.selectors.leads import lead_list
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit


def _applied(form: LeadFilterForm) -> dict[str, Any]:
    """The filters the ledger page applies for this form (an invalid form filters nothing)."""
    if not form.is_valid():
        return {}
    return {k: v for k, v in form.cleaned_data.items() if v not in ("", None, False)}


def _display(form: LeadFilterForm, name: str, value: Any) -> str:
    field = form.fields[name]
    if isinstance(value, bool):
        return str(field.label)
    if isinstance(value, Model):
        shown = getattr(value, "name", str(value))
    else:
        shown = str(dict(getattr(field, "choices", ())).get(value, value))
    return _("%(label)s: %(value)s") % {"label": field.label, "value": shown}


def _ledger(user: Any, form: LeadFilterForm) -> tuple[QuerySet[Lead], dict[str, Any]]:
    """The ledger page's leads for these filters, less spam (kept out of what a bureau files
    and counts) and merged leads (their surviving lead is listed) unless the status filter
    asks for merged ones. The filter form has no spam option, so spam is never exported."""
    filters = _applied(form)
    leads = lead_list(user=user, **filters).filter(is_spam=False)
    if filters.get("status") != LeadStatus.MERGED:
        leads = leads.exclude(status=LeadStatus.MERGED)
    return leads, filters


def _title_unit(user: Any) -> str:
    """The bureau for district-wide readers; a school or an agency its own name."""
    scope = user.scope
    units = Unit.objects.filter(is_active=True)
    if scope.district_wide:
        unit = units.filter(kind=UnitKind.BUREAU, parent__isnull=True).order_by("pk").first()
    else:
        unit = units.filter(pk__in=scope.unit_ids).order_by("kind", "code").first()
    return unit.name if unit is not None else ""


def _subtitle(form: LeadFilterForm, filters: dict[str, Any], count: int, now: datetime) -> str:
    shown = "；".join(_display(form, name, value) for name, value in filters.items())
    return _(
        "Exported %(time)s (Beijing time) · Filters: %(filters)s · %(count)d leads · "
        "merged and spam leads are left out unless asked for"
    ) % {
        "time": f"{timezone.localtime(now, CHINA_TZ):%Y-%m-%d %H:%M}",
        "filters": shown or pgettext("filters", "none"),
        "count": count,
    }


def ledger_export(
    *, actor: Any, form: LeadFilterForm, request: Any = None
) -> tuple[IO[bytes], str]:
    """Write the ledger of the leads ``actor`` sees with the filters of ``form`` (the ledger
    page's) to a temporary file, rewound; returns it with the file name to download it as.
    One audit row ``leads.lead.exported`` records the filters and the number of rows."""
    now = timezone.now()
    leads, filters = _ledger(actor, form)
    count = leads.count()
    audit_record(
        actor=actor,
        action="leads.lead.exported",
        object_type=Lead._meta.label_lower,
        request=request,
        changes={"filters": {k: str(v) for k, v in filters.items()}, "rows": count},
    )
    unit = _title_unit(actor)
    title = (
        _("Ledger of leads concerning schools — %(unit)s") % {"unit": unit}
        if unit
        else _("Ledger of leads concerning schools")
    )
    out = tempfile.TemporaryFile()  # noqa: SIM115  (the caller's response closes it once sent)
    excel.ledger_write(
        out,
        excel.ledger_leads(leads, now=now),
        title=title,
        subtitle=_subtitle(form, filters, count, now),
    )
    out.seek(0)
    day = timezone.localtime(now, CHINA_TZ).date().isoformat()
    return out, _("Leads ledger") + f"-{day}.xlsx"
