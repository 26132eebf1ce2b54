"""Writes of the warning level bands, the seasonal risk calendar (季节性风险日历) and the
schools' risk profiles. Only the bureau safety officer edits bands and calendar; a school's
principal or designated officer may edit its own profile. Every write is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.core.rules import rule
from safecampus.organizations.choices import SchoolKind, UnitKind
from safecampus.organizations.models import Unit
from safecampus.risk.choices import LEVEL_ORDER, WarningLevel
from safecampus.risk.errors import RiskError, RiskForbidden
from safecampus.risk.models import (
    RiskLevelBand,
    SchoolRiskProfile,
    SeasonalRisk,
)
from safecampus.risk.services.register import (
    COLOR_RE,
    LABEL_MAX,
    TITLE_MAX,
    band_table,
    can_edit_calendar,
    can_edit_profile,
    clean_category,
    clean_english,
    clean_text,
)

# --- warning level bands ------------------------------------------------------------------


def _require_calendar_role(actor: Any) -> None:
    if not can_edit_calendar(actor):
        raise RiskForbidden(_("Only the bureau safety officer may change this."), code="forbidden")


def _band_values(values: Mapping[str, Any], label_en: str) -> dict[str, Any]:
    """The checked values of one band; ``label_en`` is kept when ``values`` lack it."""
    label = clean_text(
        values.get("label"),
        required=_("Give each level a label."),
        limit=LABEL_MAX,
        too_long=_("A level's label is 40 characters at most."),
    )
    label_en = clean_english(
        values.get("label_en", label_en),
        limit=LABEL_MAX,
        too_long=_("A level's English label is 40 characters at most."),
    )
    least = values.get("min_score")
    if isinstance(least, bool) or not isinstance(least, int) or least < 0:
        raise RiskError(_("A lowest score is a whole number, 0 or more."), code="bad_score")
    color = str(values.get("color") or "").strip()
    if not COLOR_RE.match(color):
        raise RiskError(_("A colour is written #rrggbb, e.g. #d7263d."), code="bad_color")
    return {"label": label, "label_en": label_en, "min_score": least, "color": color.lower()}


def _check_order(table: Mapping[str, Mapping[str, Any]]) -> None:
    ordered = sorted(table, key=lambda level: LEVEL_ORDER[WarningLevel(level)])
    scores = [table[level]["min_score"] for level in ordered]
    if any(higher <= lower for higher, lower in pairwise(scores)):
        raise RiskError(
            _("Lowest scores must fall strictly from red to orange, yellow and blue."),
            code="bad_order",
        )
    if table[WarningLevel.BLUE]["min_score"] != 0:
        raise RiskError(_("Blue, the lowest level, must start at 0."), code="bad_order")


def level_bands_update(
    *, actor: Any, changes: Mapping[str, Mapping[str, Any]]
) -> list[RiskLevelBand]:
    """Change one or more bands at once (label, its optional English ``label_en``, lowest
    score, colour). The result must keep red > orange > yellow > blue in lowest score, blue
    at 0, colours as #rrggbb; otherwise nothing is saved. Grades computed later use the new
    table."""
    _require_calendar_role(actor)
    for level in changes:
        if level not in WarningLevel.values:
            raise RiskError(_("Unknown warning level."), code="bad_level")
    with transaction.atomic():
        list(RiskLevelBand.objects.select_for_update().all())
        current = {band.level: band for band in band_table()}
        table = {
            level: {
                "label": band.label,
                "label_en": band.label_en,
                "min_score": band.min_score,
                "color": band.color,
            }
            for level, band in current.items()
        }
        for level, values in changes.items():
            table[level] = _band_values(values, current[level].label_en)
        _check_order(table)
        saved = []
        for level, values in table.items():
            band = current[level]
            diff = {k: v for k, v in values.items() if getattr(band, k) != v or band.pk is None}
            for name, value in values.items():
                setattr(band, name, value)
            if diff:
                band.save()
                audit_record(
                    actor=actor, action="risk.risklevelband.updated", obj=band, changes=diff
                )
            saved.append(band)
    return saved


def level_band_update(
    *,
    actor: Any,
    level: str,
    label: str,
    min_score: int,
    color: str,
    label_en: str | None = None,
) -> RiskLevelBand:
    """Change one band (``label_en`` None keeps the English label); see
    ``level_bands_update`` for the rules."""
    values: dict[str, Any] = {"label": label, "min_score": min_score, "color": color}
    if label_en is not None:
        values["label_en"] = label_en
    bands = level_bands_update(actor=actor, changes={level: values})
    return next(band for band in bands if band.level == level)


# --- seasonal risk calendar ---------------------------------------------------------------


def _months(values: Iterable[Any]) -> list[int]:
    months = set()
    for value in values or ():
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 12:
            raise RiskError(_("Months are numbered 1 to 12."), code="bad_months")
        months.add(value)
    if not months:
        raise RiskError(_("Choose at least one month."), code="bad_months")
    return sorted(months)


def _kinds(values: Iterable[Any]) -> list[str]:
    kinds = set()
    for value in values or ():
        if value not in SchoolKind.values:
            raise RiskError(_("Unknown school kind."), code="bad_kind")
        kinds.add(str(value))
    return [kind for kind in SchoolKind.values if kind in kinds]


def _seasonal_fields(
    *,
    title: Any,
    category: Any,
    months: Iterable[Any],
    measures: Any,
    school_kinds: Iterable[Any],
    boarding_only: bool,
    near_water_only: bool,
    points: Any,
    title_en: Any,
    measures_en: Any,
) -> dict[str, Any]:
    cap = rule("risk_factor_cap")
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= cap:
        raise RiskError(
            _("Points are a whole number from 0 to %(cap)d.") % {"cap": cap}, code="bad_points"
        )
    return {
        "title": clean_text(
            title,
            required=_("Name the risk."),
            limit=TITLE_MAX,
            too_long=_("The risk's name is too long (200 characters at most)."),
        ),
        "title_en": clean_english(
            title_en,
            limit=TITLE_MAX,
            too_long=_("The risk's English name is too long (200 characters at most)."),
        ),
        "category": clean_category(category),
        "months": _months(months),
        "measures": clean_text(measures, required=_("Describe the required measures.")),
        "measures_en": clean_english(measures_en),
        "school_kinds": _kinds(school_kinds),
        "boarding_only": bool(boarding_only),
        "near_water_only": bool(near_water_only),
        "points": points,
    }


def seasonal_risk_create(
    *,
    actor: Any,
    title: str,
    category: str,
    months: Iterable[int],
    measures: str,
    school_kinds: Iterable[str] = (),
    boarding_only: bool = False,
    near_water_only: bool = False,
    points: int = 5,
    title_en: str = "",
    measures_en: str = "",
) -> SeasonalRisk:
    """Add a risk to the seasonal calendar: the months it rises in, the measures it
    requires, the schools it applies to (no kinds: every kind) and the grade points it adds;
    the English title and measures are optional (empty: English readers see the Chinese)."""
    _require_calendar_role(actor)
    fields = _seasonal_fields(
        title=title,
        category=category,
        months=months,
        measures=measures,
        school_kinds=school_kinds,
        boarding_only=boarding_only,
        near_water_only=near_water_only,
        points=points,
        title_en=title_en,
        measures_en=measures_en,
    )
    with transaction.atomic():
        risk = SeasonalRisk.objects.create(**fields)
        audit_record(actor=actor, action="risk.seasonalrisk.created", obj=risk, changes=fields)
    return risk


def seasonal_risk_update(
    *,
    actor: Any,
    risk: SeasonalRisk,
    title: str,
    category: str,
    months: Iterable[int],
    measures: str,
    school_kinds: Iterable[str] = (),
    boarding_only: bool = False,
    near_water_only: bool = False,
    points: int = 5,
    title_en: str | None = None,
    measures_en: str | None = None,
) -> SeasonalRisk:
    """Change a calendar entry; the same rules as ``seasonal_risk_create`` (an English text
    left None is kept as it is)."""
    _require_calendar_role(actor)
    fields = _seasonal_fields(
        title=title,
        category=category,
        months=months,
        measures=measures,
        school_kinds=school_kinds,
        boarding_only=boarding_only,
        near_water_only=near_water_only,
        points=points,
        title_en=risk.title_en if title_en is None else title_en,
        measures_en=risk.measures_en if measures_en is None else measures_en,
    )
    with transaction.atomic():
        risk = SeasonalRisk.objects.select_for_update().get(pk=risk.pk)
        changes = {k: v for k, v in fields.items() if getattr(risk, k) != v}
        for name, value in fields.items():
            setattr(risk, name, value)
        risk.save()
        audit_record(actor=actor, action="risk.seasonalrisk.updated", obj=risk, changes=changes)
    return risk


def seasonal_risk_set_active(*, actor: Any, risk: SeasonalRisk, active: bool) -> SeasonalRisk:
    """Put a calendar entry in use or out of use (kept, so past notices still name it)."""
    _require_calendar_role(actor)
    with transaction.atomic():
        risk = SeasonalRisk.objects.select_for_update().get(pk=risk.pk)
        if risk.is_active == bool(active):
            return risk
        risk.is_active = bool(active)
        risk.save(update_fields=["is_active", "updated_at"])
        verb = "activated" if active else "deactivated"
        audit_record(
            actor=actor,
            action=f"risk.seasonalrisk.{verb}",
            obj=risk,
            changes={"is_active": risk.is_active},
        )
    return risk


# --- school risk profiles -----------------------------------------------------------------


def risk_profile_get(school: Unit) -> SchoolRiskProfile:
    """The school's profile, or an unsaved blank one."""
    return SchoolRiskProfile.objects.filter(school=school).first() or SchoolRiskProfile(
        school=school
    )


def risk_profile_update(
    *,
    actor: Any,
    school: Unit,
    near_water: bool,
    near_main_road: bool,
    flood_prone: bool,
    notes: str = "",
) -> SchoolRiskProfile:
    """Record the facts of a school's exposure that the seasonal calendar reads (near water,
    on a main road, flood-prone). The bureau or the school's principal or designated officer."""
    if school.kind != UnitKind.SCHOOL:
        raise RiskError(_("Choose a school."), code="bad_school")
    if not can_edit_profile(actor, school.pk):
        raise RiskForbidden(_("You may not change this school's risk profile."), code="forbidden")
    values = {
        "near_water": bool(near_water),
        "near_main_road": bool(near_main_road),
        "flood_prone": bool(flood_prone),
        "notes": str(notes or "").strip(),
    }
    with transaction.atomic():
        profile, created = SchoolRiskProfile.objects.select_for_update().get_or_create(
            school=school, defaults=values
        )
        changes = (
            values if created else {k: v for k, v in values.items() if getattr(profile, k) != v}
        )
        for name, value in values.items():
            setattr(profile, name, value)
        profile.save()
        audit_record(
            actor=actor,
            action="risk.schoolriskprofile.updated",
            obj=profile,
            changes=changes,
            unit_id=school.pk,
        )
    return profile
