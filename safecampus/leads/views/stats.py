"""Lead statistics (线索统计): the page with its charts and tables, and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from safecampus.api.inputs import DayField
from safecampus.api.permissions import HasAccess
from safecampus.core.access import AccessMixin
from safecampus.core.bounds import day_validators
from safecampus.core.forms import BootstrapFormMixin
from safecampus.core.http import AuthedRequest
from safecampus.leads.stats import lead_statistics
from safecampus.leads.views import READERS

#: The school chart shows this many schools; the API lists every school.
TOP_SCHOOLS = 20

SUPPRESSION = gettext_lazy(
    "Spam and merged leads are not counted. Any count from 1 to min_cell - 1 is suppressed "
    "(count null, suppressed true) so that it cannot point at a reporter; where only one cell "
    "of a list would be suppressed, or the suppressed ones could only be 1 each, the next "
    "smallest cells are suppressed too, so no suppressed count can be worked out from the "
    "total and the other cells. Days to conclude are whole calendar days from receipt to "
    "conclusion; median and 90th percentile by nearest rank."
)


class StatisticsPeriodForm(BootstrapFormMixin, forms.Form):
    date_from = forms.DateField(
        label=gettext_lazy("Received from"),
        required=False,
        validators=day_validators(),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Received until"),
        required=False,
        validators=day_validators(),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


def _values(cells: list[dict[str, Any]]) -> list[int | None]:
    return [cell["count"] for cell in cells]


def _bar(cells: list[dict[str, Any]], *, horizontal: bool = False) -> dict[str, Any]:
    labels = {"type": "category", "data": [cell["label"] for cell in cells]}
    values = {"type": "value", "minInterval": 1}
    axes = (
        {"xAxis": values, "yAxis": {**labels, "inverse": True}}
        if horizontal
        else {
            "xAxis": {**labels, "axisLabel": {"interval": 0, "rotate": 30}},
            "yAxis": values,
        }
    )
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 16, "bottom": 8},
        **axes,
        "series": [{"type": "bar", "data": _values(cells)}],
    }


def month_chart(stats: dict[str, Any]) -> dict[str, Any]:
    """Leads by month as a line; a suppressed month is a gap."""
    months = stats["by_month"]
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"containLabel": True, "left": 8, "right": 16, "top": 16, "bottom": 8},
        "xAxis": {"type": "category", "data": [cell["label"] for cell in months]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "line", "data": _values(months), "connectNulls": False}],
    }


def statistics_charts(stats: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """ECharts options for each chart of the page, keyed by the id of its JSON block."""
    visible_status = [cell for cell in stats["by_status"] if cell["count"]]
    return {
        "chart-category": _bar(stats["by_category"]),
        "chart-month": month_chart(stats),
        "chart-school": _bar(stats["by_school"][:TOP_SCHOOLS], horizontal=True),
        "chart-status": {
            "tooltip": {"trigger": "item"},
            "series": [
                {
                    "type": "pie",
                    "radius": ["45%", "72%"],
                    "data": [{"name": c["label"], "value": c["count"]} for c in visible_status],
                    "label": {"formatter": "{b}\n{c}"},
                }
            ],
        },
        "chart-days": _bar(stats["conclusion"]["histogram"]),
    }


def _sections(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Each chart of the page with the table that gives its numbers to every reader."""
    schools = stats["by_school"]
    more = len(schools) - TOP_SCHOOLS
    return [
        _section("chart-category", _("Leads by category"), _("Category"), stats["by_category"]),
        _section("chart-month", _("Leads by month"), _("Month"), stats["by_month"]),
        _section("chart-status", _("Leads by status"), _("Status"), stats["by_status"]),
        _section(
            "chart-days",
            _("Time to conclude"),
            _("Calendar days from receipt"),
            stats["conclusion"]["histogram"],
        ),
        _section(
            "chart-school",
            _("Schools with the most leads"),
            _("School"),
            schools[:TOP_SCHOOLS],
            wide=True,
            note=_("%(n)d more schools are in the API.") % {"n": more} if more > 0 else "",
        ),
    ]


def _section(
    chart: str, title: str, heading: str, cells: list[Any], *, wide: bool = False, note: str = ""
) -> dict[str, Any]:
    return {
        "chart": chart,
        "title": title,
        "heading": heading,
        "cells": cells,
        "wide": wide,
        "note": note,
    }


class LeadStatisticsView(AccessMixin, View):
    """Counts by category, month, school and status, and the time to conclude, for the
    leads the user may see, with small counts suppressed."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = StatisticsPeriodForm(request.GET or None)
        period = form.cleaned_data if form.is_valid() else {}
        stats = lead_statistics(
            user=request.user, date_from=period.get("date_from"), date_to=period.get("date_to")
        )
        context = {
            "form": form,
            "stats": stats,
            "sections": _sections(stats),
            "charts": statistics_charts(stats),
        }
        return render(request, "leads/lead_statistics.html", context)


# --- API -----------------------------------------------------------------------------------


class StatisticsQuerySerializer(serializers.Serializer):
    date_from = DayField(required=False, help_text="First local day received.")
    date_to = DayField(required=False, help_text="Last local day received.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (
            attrs.get("date_from")
            and attrs.get("date_to")
            and attrs["date_from"] > attrs["date_to"]
        ):
            raise serializers.ValidationError(_("The start date is after the end date."))
        return attrs


class StatCountSerializer(serializers.Serializer):
    count = serializers.IntegerField(allow_null=True, help_text="Null when suppressed.")
    suppressed = serializers.BooleanField()


class StatCellSerializer(StatCountSerializer):
    key = serializers.CharField(help_text="Category or school code, status, month (YYYY-MM).")
    label = serializers.CharField()  # type: ignore[assignment]  # shadows Field.label for mypy


class ConclusionSerializer(serializers.Serializer):
    concluded = StatCountSerializer()
    median_days = serializers.IntegerField(allow_null=True)
    p90_days = serializers.IntegerField(allow_null=True)
    histogram = StatCellSerializer(many=True)


class LeadStatisticsSerializer(serializers.Serializer):
    period = inline_serializer(
        "StatisticsPeriod",
        {
            "from": serializers.DateField(allow_null=True),
            "to": serializers.DateField(allow_null=True),
        },
    )
    min_cell = serializers.IntegerField(help_text="Counts from 1 to min_cell - 1 are suppressed.")
    day_unit = serializers.CharField(help_text="Always calendar_days.")
    total = StatCountSerializer()
    overdue = StatCountSerializer()
    by_category = StatCellSerializer(many=True)
    by_school = StatCellSerializer(many=True)
    by_month = StatCellSerializer(many=True)
    by_status = StatCellSerializer(many=True)
    conclusion = ConclusionSerializer()


class LeadStatisticsAPIView(APIView):
    """Lead figures of the caller's scope: the district for the bureau, a school its own
    leads, an agency those transferred to it."""

    access = READERS
    permission_classes = [HasAccess]

    @extend_schema(
        description=str(SUPPRESSION),
        parameters=[
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="First day received."),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="Last day received."),
        ],
        responses={200: LeadStatisticsSerializer},
    )
    def get(self, request: Request) -> Response:
        query = StatisticsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data
        return Response(
            lead_statistics(
                user=request.user,
                date_from=period.get("date_from"),
                date_to=period.get("date_to"),
            )
        )
