from __future__ import annotations

from typing import Any, cast

from django.utils import timezone
from django.views.generic import TemplateView

from safecampus.accounts.models import User
from safecampus.cases.calendar import year_is_known
from safecampus.cases.models import HolidayOverride
from safecampus.cases.selectors import deadline_overdue_list
from safecampus.core.access import Access, AccessMixin
from safecampus.core.charts import donut
from safecampus.dashboard.navigation import modules_for
from safecampus.dashboard.selectors import open_work, overview
from safecampus.inspections.selectors.hazards import hazard_counts, rectification_counts
from safecampus.inspections.selectors.inspections import inspection_counts
from safecampus.leads.selectors.stats import STATISTICS_READERS as LEAD_READERS
from safecampus.leads.selectors.stats import hidden_months_note, lead_statistics, month_chart
from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES, Role
from safecampus.risk.selectors.grades import latest_month, level_counts

#: Who sees the inspection, hazard and risk figures on the home page (the modules' readers).
SAFETY_WORK_ROLES = BUREAU_ROLES | SCHOOL_ROLES


class HomeView(AccessMixin, TemplateView):
    """The first page: district or school numbers, what needs chasing, and the mission's modules."""

    access = Access.authenticated()
    template_name = "dashboard/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = cast(User, self.request.user)  # the access gate let only signed-in users in
        data = overview(user=user)
        chart = donut(data.by_kind)
        context.update(
            overview=data,
            district_wide=user.scope.district_wide,
            chart=chart,
            overdue_count=deadline_overdue_list(user=user).count(),
            calendar_gap=_calendar_gap(user),
            modules=[m for m in modules_for(user) if m.key != "home"],
        )
        if not user.scope.district_wide or user.scope.has_role(Role.INSPECTOR):
            context.update(work=open_work(user=user))
        if user.scope.has_role(*SAFETY_WORK_ROLES):
            context.update(safety_work=_safety_work(user))
        if LEAD_READERS.allows(user):  # cached per scope for a minute: the home page stays fast
            stats = lead_statistics(user=user)
            context.update(
                stats=stats, lead_chart=month_chart(stats), months_note=hidden_months_note(stats)
            )
        return context


def _safety_work(user: User) -> dict[str, Any]:
    """Inspections overdue, open hazards, overdue notices and this month's risk grades."""
    month = latest_month(user=user)
    return {
        "inspections": inspection_counts(user=user),
        "hazards": hazard_counts(user=user),
        "notices": rectification_counts(user=user),
        "risk_month": month,
        "risk_levels": level_counts(user=user, month=month) if month else None,
    }


def _calendar_gap(user: User) -> int | None:
    """A year whose official holidays nobody has entered, for those who keep the calendar.

    Working-day deadlines of that year would fall back to Monday–Friday, so the
    year is flagged from November of the year before.
    """
    if not user.scope.has_role(Role.SYSTEM_ADMIN, Role.BUREAU_SAFETY_OFFICER):
        return None
    today = timezone.localdate()
    years = [today.year, today.year + 1] if today.month >= 11 else [today.year]
    for year in years:
        if not year_is_known(year) and not HolidayOverride.objects.filter(day__year=year).exists():
            return year
    return None
