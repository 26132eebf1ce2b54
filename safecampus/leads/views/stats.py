"""Lead statistics (线索统计): the page with its charts and the table behind each chart."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import View

from safecampus.core.access import AccessMixin
from safecampus.core.http import AuthedRequest
from safecampus.leads.forms import StatisticsPeriodForm
from safecampus.leads.permissions import READERS
from safecampus.leads.selectors.stats import (
    TOP_SCHOOLS,
    hidden_months_note,
    lead_statistics,
    statistics_charts,
)


def _sections(stats: dict[str, Any]) -> list[dict[str, Any]]:
    """Each chart of the page with the table that gives its numbers to every reader."""
    schools = stats["by_school"]
    more = len(schools) - TOP_SCHOOLS
    return [
        _section("chart-category", _("Leads by category"), _("Category"), stats["by_category"]),
        _section(
            "chart-month",
            _("Leads by month"),
            _("Month"),
            stats["by_month"],
            note=hidden_months_note(stats),
        ),
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
