"""The ledger as an Excel file, and importing leads collected offline: the pages."""

from __future__ import annotations

import tempfile
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.excel import xlsx_response
from safecampus.core.http import AuthedRequest
from safecampus.leads import excel
from safecampus.leads.forms import LeadFilterForm, LeadImportForm
from safecampus.leads.permissions import IMPORTERS, READERS
from safecampus.leads.selectors.leads import category_list, import_schools
from safecampus.leads.services.imports import lead_import_workbook
from safecampus.leads.services.ledger import ledger_export


class LeadExportView(AccessMixin, View):
    """The ledger page's leads, with the same filters, as the workbook a bureau files."""

    access = READERS

    def get(self, request: AuthedRequest) -> FileResponse:
        form = LeadFilterForm(request.GET or None, user=request.user)
        out, name = ledger_export(actor=request.user, form=form, request=request)
        return xlsx_response(out, filename=name, no_store=True)


class LeadImportTemplateView(AccessMixin, View):
    """The workbook offline collectors fill in, with the categories and schools to pick."""

    access = IMPORTERS

    def get(self, request: AuthedRequest) -> FileResponse:
        out = tempfile.TemporaryFile()  # noqa: SIM115  (the response closes it once sent)
        excel.import_template(
            out, categories=list(category_list()), schools=import_schools(request.user)
        )
        out.seek(0)
        return xlsx_response(out, filename=_("Lead import template") + ".xlsx")


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
