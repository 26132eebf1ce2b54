"""The ledger as an Excel file, and importing leads collected offline — pages and API."""

from __future__ import annotations

import tempfile
from datetime import datetime
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from django.views import View
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import parsers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.permissions import HasAccess
from safecampus.audit.services import audit_record
from safecampus.core.access import Access, AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.forms import BootstrapFormMixin
from safecampus.core.http import AuthedRequest
from safecampus.core.localtime import CHINA_TZ
from safecampus.leads import excel
from safecampus.leads.choices import TRIAGE_ROLES, LeadStatus
from safecampus.leads.errors import LeadError
from safecampus.leads.forms import LeadFilterForm
from safecampus.leads.imports import import_schools, lead_import_workbook
from safecampus.leads.models import Lead
from safecampus.leads.selectors import category_list, lead_list
from safecampus.leads.views import READERS
from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit

IMPORTERS = Access.for_roles(TRIAGE_ROLES)


# --- export -----------------------------------------------------------------------------


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


def _disposition(filename: str) -> str:
    """RFC 6266 with the RFC 5987 UTF-8 form only, as attachments are sent."""
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"


def _export(request: Any, form: LeadFilterForm) -> FileResponse:
    user = request.user
    now = timezone.now()
    leads, filters = _ledger(user, form)
    count = leads.count()
    audit_record(
        actor=user,
        action="leads.lead.exported",
        object_type=Lead._meta.label_lower,
        request=request,
        changes={"filters": {k: str(v) for k, v in filters.items()}, "rows": count},
    )
    unit = _title_unit(user)
    title = (
        _("Ledger of leads concerning schools — %(unit)s") % {"unit": unit}
        if unit
        else _("Ledger of leads concerning schools")
    )
    out = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
    excel.ledger_write(
        out,
        excel.ledger_leads(leads, now=now),
        title=title,
        subtitle=_subtitle(form, filters, count, now),
    )
    out.seek(0)
    day = timezone.localtime(now, CHINA_TZ).date().isoformat()
    name = _("Leads ledger") + f"-{day}.xlsx"
    response = FileResponse(out, content_type=excel.XLSX_MIME)
    response["Content-Disposition"] = _disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class LeadExportView(AccessMixin, View):
    """The ledger page's leads, with the same filters, as the workbook a bureau files."""

    access = READERS

    def get(self, request: AuthedRequest) -> FileResponse:
        return _export(request, LeadFilterForm(request.GET or None, user=request.user))


# --- import -----------------------------------------------------------------------------


class LeadImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Filled-in template (.xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": f".xlsx,{excel.XLSX_MIME}"}),
    )


def _template_response(user: Any) -> FileResponse:
    out = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
    excel.import_template(out, categories=list(category_list()), schools=import_schools(user))
    out.seek(0)
    response = FileResponse(out, content_type=excel.XLSX_MIME)
    response["Content-Disposition"] = _disposition(_("Lead import template") + ".xlsx")
    response["X-Content-Type-Options"] = "nosniff"
    return response


class LeadImportTemplateView(AccessMixin, View):
    """The workbook offline collectors fill in, with the categories and schools to pick."""

    access = IMPORTERS

    def get(self, request: AuthedRequest) -> FileResponse:
        return _template_response(request.user)


class LeadImportView(AccessMixin, View):
    """Upload a filled-in template: every lead is imported, or none and every error is shown."""

    access = IMPORTERS
    template_name = "leads/lead_import.html"

    def _page(
        self, request: AuthedRequest, form: Any, *, status_code: int = 200, **extra: Any
    ) -> HttpResponse:
        context = {
            "form": form,
            "columns": excel.IMPORT_COLUMNS,
            "max_rows": excel.MAX_IMPORT_ROWS,
            "max_bytes": excel.MAX_IMPORT_BYTES,
            **extra,
        }
        return render(request, self.template_name, context, status=status_code)

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self._page(request, LeadImportForm())

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = LeadImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._page(request, form, status_code=400)
        upload = form.cleaned_data["file"]
        try:
            leads = lead_import_workbook(actor=request.user, upload=upload, size=upload.size)
        except excel.ImportRejected as rejected:
            return self._page(
                request, form, error=rejected.message, row_errors=rejected.errors, status_code=400
            )
        except DomainError as error:
            return self._page(request, form, error=error.message, status_code=error.status_code)
        count = len(leads)
        messages.success(
            request,
            ngettext("%(count)d lead was imported.", "%(count)d leads were imported.", count)
            % {"count": count},
        )
        return redirect("leads:list")


# --- API --------------------------------------------------------------------------------


def _filter_parameters() -> list[OpenApiParameter]:
    """The ledger page's filters, as query parameters."""
    return [
        OpenApiParameter(
            name, OpenApiTypes.BOOL if isinstance(field, forms.BooleanField) else OpenApiTypes.STR
        )
        for name, field in LeadFilterForm.base_fields.items()
    ]


def _error_body(error: LeadError) -> dict[str, Any]:
    errors = getattr(error, "errors", [])
    return {
        "detail": str(error.message),
        "code": error.code,
        "errors": [row.as_dict() for row in errors],
    }


class LeadExportAPIView(APIView):
    """The ledger as xlsx, filtered like the ledger page (codes for category and school)."""

    access = READERS
    permission_classes = [HasAccess]

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        # The body is a workbook whatever the Accept header; errors fall back to JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=_filter_parameters(),
        responses={
            (200, excel.XLSX_MIME): OpenApiTypes.BINARY,
            400: OpenApiResponse(description="A filter value is not valid."),
        },
    )
    def get(self, request: Request) -> Any:
        form = LeadFilterForm(request.query_params, user=request.user)
        if request.query_params and not form.is_valid():
            return Response(
                {"detail": _("A filter is not valid."), "errors": form.errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return _export(request, form)


class LeadImportAPIView(APIView):
    """Import a filled-in template (multipart field ``file``): all rows, or none and 400
    with every error by row and column."""

    access = IMPORTERS
    permission_classes = [HasAccess]
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": inline_serializer(
                "LeadImportUpload", {"file": serializers.FileField()}
            )
        },
        responses={
            201: inline_serializer(
                "LeadImportResult",
                {
                    "created": serializers.IntegerField(),
                    "references": serializers.ListField(child=serializers.CharField()),
                },
            ),
            400: inline_serializer(
                "LeadImportErrors",
                {
                    "detail": serializers.CharField(),
                    "code": serializers.CharField(),
                    "errors": serializers.ListField(
                        child=inline_serializer(
                            "LeadImportRowError",
                            {
                                "row": serializers.IntegerField(),
                                "column": serializers.CharField(),
                                "message": serializers.CharField(),
                            },
                        )
                    ),
                },
            ),
        },
    )
    def post(self, request: Request) -> Response:
        upload = request.FILES.get("file")
        if upload is None:
            error = LeadError(_("Choose the filled-in template to upload."), code="no_file")
            return Response(_error_body(error), status=status.HTTP_400_BAD_REQUEST)
        try:
            leads = lead_import_workbook(actor=request.user, upload=upload, size=upload.size)
        except LeadError as error:
            return Response(_error_body(error), status=error.status_code)
        return Response(
            {"created": len(leads), "references": [lead.reference for lead in leads]},
            status=status.HTTP_201_CREATED,
        )
