"""The working-day calendar page: the official holidays of a year and the bureau's overrides."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from safecampus.cases.calendar import official_days, year_is_known
from safecampus.cases.forms import HolidayDeleteForm, HolidayOverrideForm, YearForm
from safecampus.cases.permissions import HOLIDAY_EDITOR_ROLES
from safecampus.cases.selectors import holiday_override_list
from safecampus.cases.services import holiday_override_delete, holiday_override_set
from safecampus.core.access import Access, AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.localtime import CHINA_TZ

HOLIDAY_EDITORS = Access.for_roles(HOLIDAY_EDITOR_ROLES)


def _year(data: Any) -> int:
    form = YearForm(data)
    if form.is_valid():
        return int(form.cleaned_data["year"])
    return timezone.localtime(timezone.now(), CHINA_TZ).year


def _list_url(year: int) -> str:
    return f"{reverse('cases:holiday_list')}?year={year}"


class HolidayOverrideListView(AccessMixin, View):
    """List a year's overrides beside the official calendar; add or change one by POST."""

    access = HOLIDAY_EDITORS
    template_name = "cases/holiday_list.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        year = _year(request.GET)
        return self._render(request, year, HolidayOverrideForm())

    def post(self, request: HttpRequest) -> HttpResponse:
        form = HolidayOverrideForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["day"]
            try:
                holiday_override_set(
                    actor=request.user,
                    day=day,
                    is_workday=form.is_workday,
                    name=form.cleaned_data["name"],
                    source=form.cleaned_data["source"],
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
            else:
                messages.success(request, _("Saved the calendar entry for %(day)s.") % {"day": day})
                return HttpResponseRedirect(_list_url(day.year))
        return self._render(request, _year(request.POST), form, status=400)

    def _render(
        self, request: HttpRequest, year: int, form: HolidayOverrideForm, status: int = 200
    ) -> HttpResponse:
        context = {
            "year": year,
            "previous_year": year - 1,
            "next_year": year + 1,
            "year_known": year_is_known(year),
            "official_days": official_days(year),
            "overrides": holiday_override_list(user=request.user, year=year),
            "form": form,
        }
        return render(request, self.template_name, context, status=status)


class HolidayOverrideDeleteView(AccessMixin, View):
    """Remove an override so that the official calendar applies to that day again."""

    access = HOLIDAY_EDITORS
    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        form = HolidayDeleteForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a date to remove."))
            return HttpResponseRedirect(reverse("cases:holiday_list"))
        day = form.cleaned_data["day"]
        try:
            holiday_override_delete(actor=request.user, day=day)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Removed the calendar entry for %(day)s.") % {"day": day})
        return HttpResponseRedirect(_list_url(day.year))
