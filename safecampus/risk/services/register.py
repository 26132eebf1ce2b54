"""Writes (and scoped reads) of the risk register (风险台账); the level bands, the seasonal
calendar and the schools' risk profiles are in ``services.calendar``.

Register rules: likelihood × severity on a 5×5 matrix gives an item's level (thresholds are
rules); the higher the level, the sooner the next review falls due. The bureau (safety
officer, section staff) keeps district-wide items and any school's; a school's principal
or designated officer keeps its own school's items only. Every write is audited.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from safecampus.audit.services import audit_record
from safecampus.core.localtime import local_day
from safecampus.core.rules import rule
from safecampus.organizations.choices import BUREAU_ROLES, Role, UnitKind
from safecampus.organizations.models import Unit
from safecampus.risk.choices import RiskCategory, WarningLevel
from safecampus.risk.errors import RiskConflict, RiskError, RiskForbidden
from safecampus.risk.grading import DEFAULT_BANDS
from safecampus.risk.models import (
    RiskItem,
    RiskItemQuerySet,
    RiskLevelBand,
    RiskReview,
)

#: Bureau roles that keep the register (district-wide items and any school's).
BUREAU_REGISTER_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_STAFF})
#: School roles that keep their own school's register and risk profile.
SCHOOL_REGISTER_ROLES = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER})
REGISTER_EDITOR_ROLES = BUREAU_REGISTER_ROLES | SCHOOL_REGISTER_ROLES
#: Who edits the level bands and the seasonal calendar.
CALENDAR_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER})

#: Labels (Chinese, English) and colours used when a band row is missing (the data
#: migration seeds the same).
DEFAULT_BAND_ROWS: dict[str, tuple[str, str, str]] = {
    WarningLevel.RED: ("一级（红色）", "Level I (red)", "#d7263d"),
    WarningLevel.ORANGE: ("二级（橙色）", "Level II (orange)", "#f46036"),
    WarningLevel.YELLOW: ("三级（黄色）", "Level III (yellow)", "#e9c46a"),
    WarningLevel.BLUE: ("四级（蓝色）", "Level IV (blue)", "#2e86de"),
}
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# The columns' lengths (RiskItem.title and owner_name, RiskLevelBand.label): checked here so the
# API's caller gets a translated 400, not a database error.
TITLE_MAX, OWNER_MAX, LABEL_MAX = 200, 60, 40


# --- the matrix ---------------------------------------------------------------------------


def matrix_level(likelihood: int, severity: int) -> WarningLevel:
    """The level of a likelihood × severity score (rules ``risk_matrix_red/orange/yellow``)."""
    score = likelihood * severity
    if score >= rule("risk_matrix_red"):
        return WarningLevel.RED
    if score >= rule("risk_matrix_orange"):
        return WarningLevel.ORANGE
    if score >= rule("risk_matrix_yellow"):
        return WarningLevel.YELLOW
    return WarningLevel.BLUE


def matrix_least_score(level: str) -> int:
    """The least likelihood × severity score of a register item of ``level``."""
    return 0 if level == WarningLevel.BLUE else rule(f"risk_matrix_{WarningLevel(level).value}")


def review_interval_days(level: str) -> int:
    """Days until the next review of an item of ``level`` (rules ``risk_review_days_*``)."""
    return rule(f"risk_review_days_{WarningLevel(level).value}")


def today() -> date:
    """Today in China time (reviews fall due on local days)."""
    return local_day(timezone.now())


# --- reads --------------------------------------------------------------------------------


def risk_item_list(
    *,
    user: Any,
    school: Unit | None = None,
    category: str = "",
    level: str = "",
    overdue: bool = False,
    retired: bool = False,
) -> RiskItemQuerySet:
    """The register items ``user`` may see (district-wide ones included), filtered."""
    items = RiskItem.objects.visible_to(user).filter(is_active=not retired)
    if school is not None:
        items = items.filter(school=school)
    if category:
        items = items.filter(category=category)
    if level:
        items = items.filter(level=level)
    if overdue:
        items = items.filter(review_due__lt=today())
    return items.select_related("school")  # type: ignore[no-any-return]


def risk_item_get(*, user: Any, item_id: int) -> RiskItem | None:
    return RiskItem.objects.visible_to(user).select_related("school").filter(pk=item_id).first()


def risk_matrix_counts(items: Any) -> list[list[dict[str, Any]]]:
    """The 5×5 matrix of ``items``: rows severity 5→1, columns likelihood 1→5, each cell
    with its count and the level its score reaches."""
    counts = {
        (row["likelihood"], row["severity"]): row["n"]
        for row in items.order_by().values("likelihood", "severity").annotate(n=Count("id"))
    }
    return [
        [
            {
                "likelihood": likelihood,
                "severity": severity,
                "score": likelihood * severity,
                "level": matrix_level(likelihood, severity).value,
                "count": counts.get((likelihood, severity), 0),
            }
            for likelihood in range(1, 6)
        ]
        for severity in range(5, 0, -1)
    ]


def band_table() -> list[RiskLevelBand]:
    """The four bands, highest first; rows the table lacks are filled from the defaults."""
    stored = {band.level: band for band in RiskLevelBand.objects.all()}
    table = []
    for level, least in DEFAULT_BANDS:
        label, label_en, color = DEFAULT_BAND_ROWS[level]
        table.append(
            stored.get(level)
            or RiskLevelBand(
                level=level, label=label, label_en=label_en, min_score=least, color=color
            )
        )
    return table


def can_edit_school(actor: Any, school_id: int | None) -> bool:
    """Whether ``actor`` keeps the register of ``school_id`` (None: the district-wide one)."""
    scope = getattr(actor, "scope", None)
    if scope is None or not getattr(actor, "is_authenticated", False):
        return False
    if scope.has_role(*BUREAU_REGISTER_ROLES):
        return True
    return school_id is not None and scope.has_role(*SCHOOL_REGISTER_ROLES, unit_id=school_id)


def can_edit_profile(actor: Any, school_id: int) -> bool:
    scope = getattr(actor, "scope", None)
    if scope is None or not getattr(actor, "is_authenticated", False):
        return False
    return scope.has_role(*BUREAU_ROLES) or scope.has_role(
        *SCHOOL_REGISTER_ROLES, unit_id=school_id
    )


def can_edit_calendar(actor: Any) -> bool:
    scope = getattr(actor, "scope", None)
    return bool(
        getattr(actor, "is_authenticated", False) and scope and scope.has_role(*CALENDAR_ROLES)
    )


# --- validation ---------------------------------------------------------------------------


def clean_text(value: Any, *, required: str, limit: int | None = None, too_long: str = "") -> str:
    """``value`` stripped; refused (``RiskError``) with ``required`` when empty and with
    ``too_long`` past ``limit`` characters. The calendar's writes check their texts with it."""
    text = str(value or "").strip()
    if not text:
        raise RiskError(required, code="required")
    if limit is not None and len(text) > limit:
        raise RiskError(too_long or _("The text is too long."), code="too_long")
    return text


def clean_english(value: Any, *, limit: int | None = None, too_long: str = "") -> str:
    """An optional English name or text (issue #14), stripped; empty shows the Chinese."""
    text = str(value or "").strip()
    if limit is not None and len(text) > limit:
        raise RiskError(too_long or _("The text is too long."), code="too_long")
    return text


def _rating(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise RiskError(
            _("%(name)s must be a whole number from 1 to 5.") % {"name": name}, code="bad_rating"
        )
    return value


def clean_category(value: Any) -> str:
    """``value`` if it is a ``RiskCategory`` (register items and seasonal risks share them)."""
    if value not in RiskCategory.values:
        raise RiskError(_("Choose a risk category."), code="bad_category")
    return str(value)


def _item_fields(
    *,
    category: Any,
    title: Any,
    description: Any,
    likelihood: Any,
    severity: Any,
    owner_name: Any,
    control_measures: Any,
) -> dict[str, Any]:
    return {
        "category": clean_category(category),
        "title": clean_text(
            title,
            required=_("Name the risk."),
            limit=TITLE_MAX,
            too_long=_("The risk's name is too long (200 characters at most)."),
        ),
        "description": str(description or "").strip(),
        "likelihood": _rating(likelihood, _("Likelihood")),
        "severity": _rating(severity, _("Severity")),
        "owner_name": clean_text(
            owner_name,
            required=_("Name the person responsible for the risk."),
            limit=OWNER_MAX,
            too_long=_("The owner's name is too long (60 characters at most)."),
        ),
        "control_measures": clean_text(
            control_measures, required=_("Describe the control measures.")
        ),
    }


def _require_item_editor(actor: Any, school_id: int | None) -> None:
    if not can_edit_school(actor, school_id):
        raise RiskForbidden(_("You may not change this school's risk register."), code="forbidden")


def _require_active(item: RiskItem) -> None:
    if not item.is_active:
        raise RiskConflict(_("This risk was retired and can no longer change."), code="retired")


def _locked(item: RiskItem) -> RiskItem:
    return RiskItem.objects.select_for_update().get(pk=item.pk)


# --- register writes ----------------------------------------------------------------------


def risk_item_create(
    *,
    actor: Any,
    school: Unit | None,
    category: str,
    title: str,
    likelihood: int,
    severity: int,
    owner_name: str,
    control_measures: str,
    description: str = "",
) -> RiskItem:
    """Enter a risk in the register: its level comes from the matrix and its first review
    falls due one interval of that level from today (China time). ``school`` None is a
    district-wide risk, which only the bureau keeps."""
    if school is not None and school.kind != UnitKind.SCHOOL:
        raise RiskError(_("Choose a school."), code="bad_school")
    _require_item_editor(actor, school.pk if school else None)
    fields = _item_fields(
        category=category,
        title=title,
        description=description,
        likelihood=likelihood,
        severity=severity,
        owner_name=owner_name,
        control_measures=control_measures,
    )
    level = matrix_level(fields["likelihood"], fields["severity"])
    item = RiskItem(
        school=school,
        level=level,
        review_due=today() + timedelta(days=review_interval_days(level)),
        created_by=actor,
        **fields,
    )
    with transaction.atomic():
        item.save()
        audit_record(
            actor=actor,
            action="risk.riskitem.created",
            obj=item,
            changes={**fields, "level": level.value, "school": item.school_id},
            unit_id=item.school_id,
        )
    return item


def risk_item_update(
    *,
    actor: Any,
    item: RiskItem,
    category: str,
    title: str,
    likelihood: int,
    severity: int,
    owner_name: str,
    control_measures: str,
    description: str = "",
) -> RiskItem:
    """Correct an item. The level follows the matrix; an edit may bring the next review
    forward (a higher level) but never postpones it — only a review does."""
    _require_item_editor(actor, item.school_id)
    fields = _item_fields(
        category=category,
        title=title,
        description=description,
        likelihood=likelihood,
        severity=severity,
        owner_name=owner_name,
        control_measures=control_measures,
    )
    with transaction.atomic():
        item = _locked(item)
        _require_active(item)
        level = matrix_level(fields["likelihood"], fields["severity"])
        due = min(item.review_due, today() + timedelta(days=review_interval_days(level)))
        new = {**fields, "level": level.value, "review_due": due}
        changes = {k: v for k, v in new.items() if getattr(item, k) != v}
        for name, value in new.items():
            setattr(item, name, value)
        item.save()
        audit_record(
            actor=actor,
            action="risk.riskitem.updated",
            obj=item,
            changes=changes,
            unit_id=item.school_id,
        )
    return item


def risk_item_review(
    *, actor: Any, item: RiskItem, likelihood: int, severity: int, note: str = ""
) -> RiskReview:
    """Record a review: the rating found, the level it gives, and the next review date
    (one interval of the new level from today)."""
    _require_item_editor(actor, item.school_id)
    likelihood = _rating(likelihood, _("Likelihood"))
    severity = _rating(severity, _("Severity"))
    now = timezone.now()
    level = matrix_level(likelihood, severity)
    with transaction.atomic():
        item = _locked(item)
        _require_active(item)
        before = {"likelihood": item.likelihood, "severity": item.severity, "level": item.level}
        review = RiskReview.objects.create(
            item=item,
            reviewed_at=now,
            reviewed_by=actor,
            likelihood=likelihood,
            severity=severity,
            level=level,
            note=str(note or "").strip(),
        )
        item.likelihood, item.severity, item.level = likelihood, severity, level
        item.last_reviewed_at = now
        item.review_due = local_day(now) + timedelta(days=review_interval_days(level))
        item.save(
            update_fields=[
                "likelihood",
                "severity",
                "level",
                "last_reviewed_at",
                "review_due",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action="risk.riskitem.reviewed",
            obj=item,
            changes={
                "before": before,
                "likelihood": likelihood,
                "severity": severity,
                "level": level.value,
                "review_due": item.review_due,
                "note": review.note,
            },
            unit_id=item.school_id,
        )
    return review


def risk_item_retire(*, actor: Any, item: RiskItem, reason: str) -> RiskItem:
    """Take a risk out of the active register (it no longer counts in the grade); a reason
    is required and kept in the audit trail."""
    _require_item_editor(actor, item.school_id)
    reason = clean_text(reason, required=_("Give a reason for retiring this risk."))
    with transaction.atomic():
        item = _locked(item)
        _require_active(item)
        item.is_active = False
        item.save(update_fields=["is_active", "updated_at"])
        audit_record(
            actor=actor,
            action="risk.riskitem.retired",
            obj=item,
            changes={"reason": reason},
            unit_id=item.school_id,
        )
    return item
