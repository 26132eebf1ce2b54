"""/api/v1/leads/export/ and /api/v1/leads/import/: the ledger as xlsx and the import of a
filled-in template, through the same services as the pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
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
from safecampus.core.errors import DomainError
from safecampus.core.excel import XLSX_MIME, xlsx_response
from safecampus.leads.errors import LeadError
from safecampus.leads.forms import LeadFilterForm
from safecampus.leads.permissions import IMPORTERS, READERS
from safecampus.leads.services.imports import lead_import_workbook
from safecampus.leads.services.ledger import ledger_export


def _filter_parameters() -> list[OpenApiParameter]:
    """The ledger page's filters, as query parameters."""
    return [
        OpenApiParameter(
            name, OpenApiTypes.BOOL if isinstance(field, forms.BooleanField) else OpenApiTypes.STR
        )
        for name, field in LeadFilterForm.base_fields.items()
    ]


def _error_body(error: DomainError) -> dict[str, Any]:
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
            (200, XLSX_MIME): OpenApiTypes.BINARY,
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
        out, name = ledger_export(actor=request.user, form=form, request=request)
        return xlsx_response(out, filename=name, no_store=True)


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
        except DomainError as error:  # the workbook's (core) and the import's (leads)
            return Response(_error_body(error), status=error.status_code)
        return Response(
            {"created": len(leads), "references": [lead.reference for lead in leads]},
            status=status.HTTP_201_CREATED,
        )
