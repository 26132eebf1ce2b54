"""Pages of the risk register (with its 5×5 matrix), the warning level bands, the seasonal
risk calendar and a school's risk profile. Views parse input and call the services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from safecampus.core.access import AccessMixin
from safecampus.core.errors import DomainError
from safecampus.core.http import AuthedRequest, query_without_page
from safecampus.core.rules import rule
from safecampus.organizations.choices import SchoolKind
from safecampus.organizations.models import Unit
from safecampus.risk.choices import LEVEL_ORDER, WarningLevel
from safecampus.risk.forms.register import (
    LevelBandsForm,
    RegisterFilterForm,
    RiskItemForm,
    RiskProfileForm,
    RiskRetireForm,
    RiskReviewForm,
    SeasonalRiskForm,
)
from safecampus.risk.models import RiskItem, SeasonalRisk
from safecampus.risk.permissions import BUREAU_READERS, CALENDAR_EDITORS, READERS, REGISTER_EDITORS
from safecampus.risk.services import calendar as calendar_services
from safecampus.risk.services import register as services

PAGE_SIZE = 50


def level_context() -> dict[str, Any]:
    """The bands, each with ``rank``: its CSS class number (1 red … 4 blue)."""
    bands = services.band_table()
    for band in bands:
        band.rank = LEVEL_ORDER[WarningLevel(band.level)] + 1  # type: ignore[attr-defined]
    return {"bands": bands, "band_by_level": {band.level: band for band in bands}}


def decorate(rows: Any, band_by_level: dict[str, Any]) -> None:
    """Give each item (or matrix cell) its ``band`` for the level badge."""
    for row in rows:
        level = row["level"] if isinstance(row, dict) else row.level
        band = band_by_level[level]
        if isinstance(row, dict):
            row["band"] = band
        else:
            row.band = band


# --- the register -------------------------------------------------------------------------


class RegisterListView(AccessMixin, View):
    """The register the user may see (their school's and the district-wide items), filtered,
    with the 5×5 matrix of the filtered items."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        form = RegisterFilterForm(request.GET or None, user=request.user)
        filters = form.cleaned_data if form.is_valid() else {}
        items = services.risk_item_list(
            user=request.user, **{k: v for k, v in filters.items() if v not in ("", None)}
        )
        page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
        levels = level_context()
        matrix = services.risk_matrix_counts(items)
        page.object_list = list(page.object_list)
        decorate(page.object_list, levels["band_by_level"])
        for row in matrix:
            decorate(row, levels["band_by_level"])
        context = {
            "form": form,
            "page": page,
            "count": page.paginator.count,
            "query": query_without_page(request),
            "matrix": matrix,
            "today": services.today(),
            "can_create": REGISTER_EDITORS.allows(request.user),
            **levels,
        }
        template = (
            "risk/register/partials/_register_results.html"
            if request.htmx
            else "risk/register/register_list.html"
        )
        return render(request, template, context)


def _item(request: AuthedRequest, item_id: int) -> RiskItem:
    item = services.risk_item_get(user=request.user, item_id=item_id)
    if item is None:
        raise Http404
    return item


def _item_page(
    request: AuthedRequest,
    item: RiskItem,
    *,
    review_form: Any = None,
    retire_form: Any = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    levels = level_context()
    reviews = list(item.reviews.select_related("reviewed_by"))
    decorate([item, *reviews], levels["band_by_level"])
    context = {
        "item": item,
        "reviews": reviews,
        "can_edit": item.is_active and services.can_edit_school(request.user, item.school_id),
        "can_profile": item.school_id is not None,
        "review_form": review_form
        or RiskReviewForm(initial={"likelihood": item.likelihood, "severity": item.severity}),
        "retire_form": retire_form or RiskRetireForm(),
        "intervals": [
            (
                band,
                services.matrix_least_score(band.level),
                services.review_interval_days(band.level),
            )
            for band in levels["bands"]
        ],
        "today": services.today(),
        "error": error,
        **levels,
    }
    return render(request, "risk/register/register_item.html", context, status=status)


class RegisterItemView(AccessMixin, View):
    """One risk: its rating, measures, reviews, and the review, edit and retire actions."""

    access = READERS

    def get(self, request: AuthedRequest, item_id: int) -> HttpResponse:
        return _item_page(request, _item(request, item_id))


def _item_form_page(
    request: AuthedRequest, form: Any, item: RiskItem | None, status: int = 200
) -> HttpResponse:
    return render(
        request, "risk/register/register_form.html", {"form": form, "item": item}, status=status
    )


class RegisterCreateView(AccessMixin, View):
    """Enter a risk; the bureau for the district or any school, a school for itself."""

    access = REGISTER_EDITORS

    def get(self, request: AuthedRequest) -> HttpResponse:
        initial = {"school": request.GET.get("school", "")}
        return _item_form_page(request, RiskItemForm(user=request.user, initial=initial), None)

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = RiskItemForm(request.POST, user=request.user)
        status = 400
        if form.is_valid():
            try:
                item = services.risk_item_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _("The risk was entered in the register."))
                return redirect("risk:register_item", item_id=item.pk)
        return _item_form_page(request, form, None, status)


class RegisterEditView(AccessMixin, View):
    """Correct a risk's description, rating, owner or measures."""

    access = REGISTER_EDITORS

    def get(self, request: AuthedRequest, item_id: int) -> HttpResponse:
        item = _item(request, item_id)
        initial = {
            name: getattr(item, name)
            for name in (
                "category",
                "title",
                "description",
                "likelihood",
                "severity",
                "owner_name",
                "control_measures",
            )
        }
        form = RiskItemForm(user=request.user, with_school=False, initial=initial)
        return _item_form_page(request, form, item)

    def post(self, request: AuthedRequest, item_id: int) -> HttpResponse:
        item = _item(request, item_id)
        form = RiskItemForm(request.POST, user=request.user, with_school=False)
        status = 400
        if form.is_valid():
            try:
                services.risk_item_update(actor=request.user, item=item, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _("Saved."))
                return redirect("risk:register_item", item_id=item.pk)
        return _item_form_page(request, form, item, status)


class RegisterReviewView(AccessMixin, View):
    """Record a review of a risk: the rating found and what was found."""

    access = REGISTER_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, item_id: int) -> HttpResponse:
        item = _item(request, item_id)
        form = RiskReviewForm(request.POST)
        if not form.is_valid():
            return _item_page(request, item, review_form=form, status=400)
        try:
            services.risk_item_review(actor=request.user, item=item, **form.cleaned_data)
        except DomainError as error:
            return _item_page(
                request, item, review_form=form, error=str(error.message), status=error.status_code
            )
        messages.success(request, _("The review was recorded."))
        return redirect("risk:register_item", item_id=item.pk)


class RegisterRetireView(AccessMixin, View):
    """Retire a risk that no longer applies, with a reason."""

    access = REGISTER_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, item_id: int) -> HttpResponse:
        item = _item(request, item_id)
        form = RiskRetireForm(request.POST)
        if not form.is_valid():
            return _item_page(request, item, retire_form=form, status=400)
        try:
            services.risk_item_retire(
                actor=request.user, item=item, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            return _item_page(
                request, item, retire_form=form, error=str(error.message), status=error.status_code
            )
        messages.success(request, _("The risk was retired."))
        return redirect("risk:register_item", item_id=item.pk)


# --- warning level bands ------------------------------------------------------------------


class LevelBandsView(AccessMixin, View):
    """The four warning levels: the bureau reads them, the safety officer edits them."""

    access = BUREAU_READERS

    def _page(self, request: AuthedRequest, form: Any, error: str = "", status: int = 200) -> Any:
        context = {
            "form": form,
            "can_edit": services.can_edit_calendar(request.user),
            "error": error,
        }
        return render(request, "risk/register/level_bands.html", context, status=status)

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self._page(request, LevelBandsForm(bands=level_context()["bands"]))

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = LevelBandsForm(request.POST, bands=level_context()["bands"])
        if not form.is_valid():
            return self._page(request, form, status=400)
        try:
            calendar_services.level_bands_update(actor=request.user, changes=form.changes())
        except DomainError as error:
            return self._page(request, form, str(error.message), error.status_code)
        messages.success(request, _("The warning levels were saved."))
        return redirect("risk:level_bands")


# --- seasonal calendar --------------------------------------------------------------------


class CalendarView(AccessMixin, View):
    """The seasonal risk calendar: risks as rows, the twelve months as columns."""

    access = READERS

    def get(self, request: AuthedRequest) -> HttpResponse:
        kinds = dict(SchoolKind.choices)
        rows: list[dict[str, Any]] = [
            {
                "risk": risk,
                "months": [m in (risk.months or []) for m in range(1, 13)],
                "kinds": [kinds.get(k, k) for k in risk.school_kinds or []],
            }
            for risk in SeasonalRisk.objects.order_by("-is_active", "category", "id")
        ]
        per_month = [
            sum(1 for r in rows if r["risk"].is_active and r["months"][m]) for m in range(12)
        ]
        context = {
            "rows": rows,
            "month_numbers": range(1, 13),
            "per_month": per_month,
            "current_month": services.today().month,
            "can_edit": services.can_edit_calendar(request.user),
            "seasonal_cap": rule("risk_seasonal_cap"),
        }
        return render(request, "risk/register/calendar.html", context)


def _seasonal(risk_id: int) -> SeasonalRisk:
    risk = SeasonalRisk.objects.filter(pk=risk_id).first()
    if risk is None:
        raise Http404
    return risk


def _seasonal_form_page(
    request: AuthedRequest, form: Any, risk: SeasonalRisk | None, status: int = 200
) -> HttpResponse:
    return render(
        request, "risk/register/calendar_form.html", {"form": form, "risk": risk}, status=status
    )


class CalendarCreateView(AccessMixin, View):
    access = CALENDAR_EDITORS

    def get(self, request: AuthedRequest) -> HttpResponse:
        return _seasonal_form_page(request, SeasonalRiskForm(), None)

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = SeasonalRiskForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                calendar_services.seasonal_risk_create(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _("The seasonal risk was added."))
                return redirect("risk:calendar")
        return _seasonal_form_page(request, form, None, status)


class CalendarEditView(AccessMixin, View):
    access = CALENDAR_EDITORS

    def get(self, request: AuthedRequest, risk_id: int) -> HttpResponse:
        risk = _seasonal(risk_id)
        initial = {
            name: getattr(risk, name)
            for name in (
                "title",
                "title_en",
                "category",
                "months",
                "measures",
                "measures_en",
                "school_kinds",
                "boarding_only",
                "near_water_only",
                "points",
            )
        }
        return _seasonal_form_page(request, SeasonalRiskForm(initial=initial), risk)

    def post(self, request: AuthedRequest, risk_id: int) -> HttpResponse:
        risk = _seasonal(risk_id)
        form = SeasonalRiskForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                calendar_services.seasonal_risk_update(
                    actor=request.user, risk=risk, **form.cleaned_data
                )
            except DomainError as error:
                form.add_error(None, str(error.message))
                status = error.status_code
            else:
                messages.success(request, _("Saved."))
                return redirect("risk:calendar")
        return _seasonal_form_page(request, form, risk, status)


class CalendarActiveView(AccessMixin, View):
    """Put a calendar entry in use (``active=1``) or out of use (``active=0``)."""

    access = CALENDAR_EDITORS
    http_method_names = ["post"]

    def post(self, request: AuthedRequest, risk_id: int) -> HttpResponse:
        risk = _seasonal(risk_id)
        active = request.POST.get("active") == "1"
        calendar_services.seasonal_risk_set_active(actor=request.user, risk=risk, active=active)
        messages.success(
            request,
            _("The seasonal risk is in use again.")
            if active
            else _("The seasonal risk is out of use."),
        )
        return redirect("risk:calendar")


# --- school risk profile ------------------------------------------------------------------


class SchoolProfileView(AccessMixin, View):
    """What the calendar and the grade know of a school's exposure (near water, …)."""

    access = READERS

    def _school(self, request: AuthedRequest, school_id: int) -> Unit:
        school = Unit.objects.visible_to(request.user).schools().filter(pk=school_id).first()
        if school is None or (
            not request.user.scope.district_wide
            and school.pk not in request.user.scope.school_unit_ids
        ):
            raise Http404
        return school

    def _page(self, request: AuthedRequest, school: Unit, form: Any, status: int = 200) -> Any:
        context = {
            "school": school,
            "form": form,
            "profile": calendar_services.risk_profile_get(school),
            "can_edit": services.can_edit_profile(request.user, school.pk),
        }
        return render(request, "risk/register/school_profile.html", context, status=status)

    def get(self, request: AuthedRequest, school_id: int) -> HttpResponse:
        school = self._school(request, school_id)
        profile = calendar_services.risk_profile_get(school)
        initial = {
            name: getattr(profile, name)
            for name in ("near_water", "near_main_road", "flood_prone", "notes")
        }
        return self._page(request, school, RiskProfileForm(initial=initial))

    def post(self, request: AuthedRequest, school_id: int) -> HttpResponse:
        school = self._school(request, school_id)
        form = RiskProfileForm(request.POST)
        if not form.is_valid():
            return self._page(request, school, form, 400)
        try:
            calendar_services.risk_profile_update(
                actor=request.user, school=school, **form.cleaned_data
            )
        except DomainError as error:
            form.add_error(None, str(error.message))
            return self._page(request, school, form, error.status_code)
        messages.success(request, _("The school's risk profile was saved."))
        return redirect("risk:school_profile", school_id=school.pk)
