"""The auditor's view of the trail: browse, filter, verify, export."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views import View

from safecampus.audit.forms import AuditFilterForm
from safecampus.audit.selectors import audit_event_list
from safecampus.audit.services import audit_record, audit_verify
from safecampus.core.access import Access, AccessMixin
from safecampus.core.csv_export import csv_lines
from safecampus.core.http import AuthedRequest, query_without_page

#: organizations' ``Role.AUDITOR`` by value: audit imports only core (the audit tests hold the
#: two equal).
AUDITOR_ROLE = "auditor"
AUDITORS = Access.for_roles({AUDITOR_ROLE})
SHOWN_FINDINGS = 50  # the page lists the first breaks; `manage.py audit_verify` lists them all


def _filtered(request: AuthedRequest) -> tuple[AuditFilterForm, Any]:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return form, audit_event_list(user=request.user, **{k: v for k, v in filters.items() if v})


class AuditEventListView(AccessMixin, View):
    access = AUDITORS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form, events = _filtered(request)
        page = Paginator(events, 50).get_page(request.GET.get("page"))
        context = {"form": form, "page": page, "query": query_without_page(request)}
        template = "audit/partials/_table.html" if request.htmx else "audit/event_list.html"
        return render(request, template, context, status=400 if form.errors else 200)


class AuditVerifyView(AccessMixin, View):
    access = AUDITORS

    def post(self, request: AuthedRequest) -> HttpResponse:
        report = audit_verify()
        audit_record(
            actor=request.user,
            action="audit.trail.verified",
            request=request,
            changes={"ok": report.ok, "checked": report.checked, "findings": len(report.findings)},
        )
        context = {"report": report, "shown": report.findings[:SHOWN_FINDINGS]}
        return render(request, "audit/partials/_verify.html", context)


class AuditExportView(AccessMixin, View):
    """CSV of the filtered trail, streamed; the export itself is audited."""

    access = AUDITORS
    columns = (
        "id",
        "at",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "unit_id",
        "result",
        "remote_addr",
        "changes",
        "row_hash",
    )

    def get(self, request: AuthedRequest) -> StreamingHttpResponse:
        _, events = _filtered(request)
        audit_record(
            actor=request.user,
            action="audit.trail.exported",
            request=request,
            changes={"filters": request.GET.dict()},
        )
        tz = timezone.get_current_timezone()

        def rows() -> Any:
            for event in events.iterator(chunk_size=2000):
                values = [getattr(event, c) for c in self.columns]
                values[1] = event.at.astimezone(tz).isoformat()
                yield values

        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = StreamingHttpResponse(
            csv_lines(self.columns, rows()), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        return response
