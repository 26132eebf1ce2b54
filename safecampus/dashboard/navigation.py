"""The mission's modules, in the plan's order; a module not built yet says "coming"."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from safecampus.organizations.choices import BUREAU_ROLES, SCHOOL_ROLES, Role


@dataclass(frozen=True)
class Page:
    """A page inside a module, listed under it in the side menu while the module is open."""

    label: str | Promise
    url_name: str
    roles: frozenset[str]

    @property
    def url(self) -> str | None:
        return _url(self.url_name)


@dataclass(frozen=True)
class Module:
    key: str
    label: str | Promise
    icon: str
    requirement: str
    url_name: str | None
    roles: frozenset[str]
    pages: tuple[Page, ...] = ()

    @property
    def url(self) -> str | None:
        return _url(self.url_name) if self.url_name else None


@lru_cache(maxsize=64)
def _url(name: str) -> str | None:
    """Module URLs take no arguments and no language prefix: resolve each once per process."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


STAFF = BUREAU_ROLES | SCHOOL_ROLES
SCHOOL_LEADS = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER})
INSPECTION_PAGES = (
    Page(_("Inspections"), "inspections:inspection_list", STAFF),
    Page(_("Hazard register"), "inspections:hazard_list", STAFF),
    Page(_("Rectification notices"), "inspections:rectification_list", STAFF),
    Page(_("Safe-campus evaluation"), "inspections:evaluation", BUREAU_ROLES | SCHOOL_LEADS),
    Page(_("Checklists"), "inspections:template_list", STAFF),
    Page(_("Inspection plans"), "inspections:plan_list", BUREAU_ROLES),
    Page(
        _("Accountability"),
        "inspections:accountability_list",
        frozenset({Role.BUREAU_LEADER, Role.AUDITOR}),
    ),
)
RISK_PAGES = (
    Page(_("Monthly grades"), "risk:grade_list", STAFF),
    Page(_("Warning notices"), "risk:notice_list", BUREAU_ROLES),
    Page(_("Warnings to schools"), "risk:warning_list", BUREAU_ROLES | SCHOOL_LEADS),
    Page(_("Risk register"), "risk:register_list", STAFF),
    Page(_("Seasonal calendar"), "risk:calendar", STAFF),
    Page(_("Warning levels"), "risk:level_bands", BUREAU_ROLES),
)
MODULES: tuple[Module, ...] = (
    Module(
        "home", _("Overview"), "speedometer2", "", "dashboard:home", STAFF | {Role.PARTNER_LIAISON}
    ),
    Module(
        "responsibility",
        _("Responsibility"),
        "people",
        "R-1.1",
        "organizations:responsibility",
        BUREAU_ROLES,
    ),
    Module(
        "work_plans",
        _("Work plans"),
        "file-earmark-text",
        "R-1.2",
        "organizations:work_plan_list",
        STAFF,
    ),
    Module("clues", _("Leads"), "flag", "R-2", "leads:list", STAFF | {Role.PARTNER_LIAISON}),
    Module("incidents", _("School disturbances"), "exclamation-octagon", "R-3", None, STAFF),
    Module("surroundings", _("Surroundings"), "geo-alt", "R-4", None, STAFF),
    Module(
        "alarms",
        _("Smart security"),
        "broadcast",
        "R-5.2",
        "security:console",
        BUREAU_ROLES | {Role.GUARD, Role.PRINCIPAL, Role.SCHOOL_OFFICER},
    ),
    Module(
        "risk",
        _("Risk warning"),
        "thermometer-half",
        "R-5.5",
        "risk:grade_list",
        STAFF,
        RISK_PAGES,
    ),
    Module("education", _("Safety education"), "book", "R-6", None, STAFF),
    Module("bullying", _("Bullying"), "shield-check", "R-7", None, STAFF),
    Module(
        "inspections",
        _("Inspections"),
        "clipboard-check",
        "R-8.3",
        "inspections:inspection_list",
        STAFF,
        INSPECTION_PAGES,
    ),
    Module("schools", _("Schools"), "building", "", "organizations:school_list", STAFF),
    Module(
        "audit",
        _("Audit trail"),
        "journal-text",
        "",
        "audit:event_list",
        frozenset({Role.AUDITOR}),
        (
            Page(_("Audit trail"), "audit:event_list", frozenset({Role.AUDITOR})),
            Page(
                _("Accountability decisions"),
                "inspections:accountability_list",
                frozenset({Role.AUDITOR}),
            ),
        ),
    ),
    Module(
        "holidays",
        _("Working-day calendar"),
        "calendar3",
        "",
        "cases:holiday_list",
        frozenset({Role.SYSTEM_ADMIN, Role.BUREAU_SAFETY_OFFICER}),
    ),
)


def modules_for(user: Any) -> list[Module]:
    """The modules ``user`` may open, each with only the pages its roles reach."""
    roles = user.roles
    return [
        replace(m, pages=tuple(p for p in m.pages if p.roles & roles))
        for m in MODULES
        if m.roles & roles
    ]
