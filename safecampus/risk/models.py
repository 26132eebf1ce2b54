"""The risk register (风险台账), the seasonal risk calendar, each school's computed monthly
grade (月度风险等级) with its reasons, and the monthly warning notice (预警通知) with each
school's acknowledgement (签收) and feedback (反馈) — R-5.5, R-4.1."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safecampus.cases.models import CaseModel
from safecampus.cases.workflow import Workflow
from safecampus.core.i18n import english_field, localized
from safecampus.core.models import TimeStampedModel
from safecampus.organizations.querysets import SchoolScopedQuerySet
from safecampus.risk.choices import (
    SCHOOL_WARNING_WORKFLOW,
    NoticeStatus,
    RiskCategory,
    SchoolWarningStatus,
    WarningLevel,
)

_ONE_TO_FIVE = [MinValueValidator(1), MaxValueValidator(5)]


class RiskLevelBand(models.Model):
    """A warning level's label and the least grade score that reaches it (the bureau edits);
    ``label`` is the Chinese name (一级（红色）), ``label_en`` the one English readers see."""

    level = models.CharField(_("level"), max_length=10, choices=WarningLevel.choices, unique=True)
    label = models.CharField(_("label"), max_length=40)
    label_en = english_field(_("label in English"), 40)
    min_score = models.PositiveIntegerField(_("lowest score"))
    color = models.CharField(_("colour"), max_length=7)

    class Meta:
        ordering = ["-min_score"]
        verbose_name = _("warning level")
        verbose_name_plural = _("warning levels")

    def __str__(self) -> str:
        return localized(self, "label")


class SchoolRiskProfile(models.Model):
    """Facts about a school's exposure that the seasonal calendar and the grade read."""

    school = models.OneToOneField(
        "organizations.Unit", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    near_water = models.BooleanField(_("near rivers, ponds or lakes"), default=False)
    near_main_road = models.BooleanField(_("on a main road"), default=False)
    flood_prone = models.BooleanField(_("in a flood-prone area"), default=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("school risk profile")
        verbose_name_plural = _("school risk profiles")

    def __str__(self) -> str:
        return str(self.school_id)


class RiskItemQuerySet(models.QuerySet["RiskItem"]):
    def visible_to(self, user: Any) -> RiskItemQuerySet:
        """District-wide items (no school) are read by every bureau and school role."""
        scope = getattr(user, "scope", None)
        if scope is None:
            return self.none()
        if scope.district_wide:
            return self.all()
        if scope.school_unit_ids:
            return self.filter(Q(school__isnull=True) | Q(school_id__in=scope.school_unit_ids))
        return self.none()


class RiskItem(TimeStampedModel):
    """A risk in the register: likelihood × severity on a 5×5 matrix gives its level; its
    review falls due sooner the higher the level."""

    school = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("school"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: a district-wide risk."),
    )
    category = models.CharField(_("category"), max_length=30, choices=RiskCategory.choices)
    title = models.CharField(_("risk"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"), validators=_ONE_TO_FIVE)
    severity = models.PositiveSmallIntegerField(_("severity (1–5)"), validators=_ONE_TO_FIVE)
    level = models.CharField(_("level"), max_length=10, choices=WarningLevel.choices)
    owner_name = models.CharField(_("owner"), max_length=60)
    control_measures = models.TextField(_("control measures"))
    review_due = models.DateField(_("review due"), db_index=True)
    last_reviewed_at = models.DateTimeField(_("last reviewed"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = RiskItemQuerySet.as_manager()

    class Meta:
        ordering = ["review_due", "id"]
        verbose_name = _("risk")
        verbose_name_plural = _("risk register")
        indexes = [models.Index(fields=["school", "is_active", "level"], name="risk_item_school")]

    def __str__(self) -> str:
        return self.title

    @property
    def matrix_score(self) -> int:
        return self.likelihood * self.severity


class RiskReview(models.Model):
    """One review of a register item: what was found and the rating it was given."""

    item = models.ForeignKey(RiskItem, on_delete=models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField(_("reviewed at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    likelihood = models.PositiveSmallIntegerField(_("likelihood (1–5)"), validators=_ONE_TO_FIVE)
    severity = models.PositiveSmallIntegerField(_("severity (1–5)"), validators=_ONE_TO_FIVE)
    level = models.CharField(_("level"), max_length=10, choices=WarningLevel.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-id"]
        verbose_name = _("risk review")
        verbose_name_plural = _("risk reviews")

    def __str__(self) -> str:
        return f"{self.item_id} {self.reviewed_at:%Y-%m-%d}"


class SeasonalRisk(TimeStampedModel):
    """A risk that rises in given months (季节性风险), with the measures it requires and the
    schools it applies to (kinds, boarding, near water); it adds ``points`` to their grade."""

    title = models.CharField(_("risk"), max_length=200)
    title_en = english_field(_("risk in English"), 200)
    category = models.CharField(_("category"), max_length=30, choices=RiskCategory.choices)
    months = models.JSONField(_("months"), default=list)
    measures = models.TextField(_("required measures"))
    measures_en = english_field(_("required measures in English"))
    school_kinds = models.JSONField(_("school kinds"), default=list, blank=True)
    boarding_only = models.BooleanField(_("boarding schools only"), default=False)
    near_water_only = models.BooleanField(_("schools near water only"), default=False)
    points = models.PositiveSmallIntegerField(_("points added to the grade"), default=5)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category", "id"]
        verbose_name = _("seasonal risk")
        verbose_name_plural = _("seasonal risk calendar")

    def __str__(self) -> str:
        return localized(self, "title")


class RiskGradeQuerySet(SchoolScopedQuerySet):
    """Grades of the user's schools (the bureau: all)."""


class RiskGrade(models.Model):
    """A school's grade for a month, computed from evidence (``factors``: each counted factor
    with its value and points). ``level`` is what counts: the computed level unless the
    bureau adjusted it with a recorded reason (a school never lowers its own)."""

    school = models.ForeignKey(
        "organizations.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    score = models.PositiveIntegerField(_("score"))
    computed_level = models.CharField(
        _("computed level"), max_length=10, choices=WarningLevel.choices
    )
    level = models.CharField(_("level"), max_length=10, choices=WarningLevel.choices)
    factors = models.JSONField(_("factors"), default=list)
    computed_at = models.DateTimeField(_("computed at"))
    adjusted_at = models.DateTimeField(_("adjusted at"), null=True, blank=True)
    adjusted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    adjusted_reason = models.TextField(_("reason for the adjustment"), blank=True)

    objects = RiskGradeQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "-score"]
        verbose_name = _("monthly risk grade")
        verbose_name_plural = _("monthly risk grades")
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="risk_one_grade_per_month"),
            models.CheckConstraint(
                condition=Q(adjusted_at__isnull=True) | ~Q(adjusted_reason=""),
                name="risk_adjustment_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["month", "level"], name="risk_grade_month_level")]

    def __str__(self) -> str:
        return f"{self.school_id} {self.month:%Y-%m} {self.level}"


class WarningNoticeQuerySet(models.QuerySet["WarningNotice"]):
    def visible_to(self, user: Any) -> WarningNoticeQuerySet:
        """Issued notices are read by every bureau and school role; drafts by the bureau."""
        scope = getattr(user, "scope", None)
        if scope is None:
            return self.none()
        if scope.district_wide:
            return self.all()
        if scope.school_unit_ids:
            return self.filter(status=NoticeStatus.ISSUED)
        return self.none()


class WarningNotice(TimeStampedModel):
    """The monthly warning notice (月度安全风险预警通知): district-wide seasonal warnings and,
    through ``SchoolWarning`` rows, each school's acknowledgement and feedback."""

    month = models.DateField(_("month"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    document_number = models.CharField(_("document number"), max_length=60, blank=True)
    summary = models.TextField(_("district-wide warning"), blank=True)
    seasonal_risks = models.ManyToManyField(
        SeasonalRisk, verbose_name=_("seasonal risks"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT
    )
    feedback_due = models.DateField(_("feedback due"))
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = WarningNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]
        verbose_name = _("warning notice")
        verbose_name_plural = _("warning notices")

    def __str__(self) -> str:
        return self.title


class SchoolWarning(CaseModel):
    """One school's copy of a monthly notice (on the case kernel): its level, the measures
    required, acknowledgement within a working day and feedback by the notice's deadline,
    each escalated when missed."""

    workflow: ClassVar[Workflow] = SCHOOL_WARNING_WORKFLOW
    reference_prefix = "YJ"

    status = models.CharField(
        _("status"),
        max_length=30,
        choices=SchoolWarningStatus.choices,
        db_index=True,
        editable=False,
    )
    notice = models.ForeignKey(
        WarningNotice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="schools"
    )
    level = models.CharField(_("level"), max_length=10, choices=WarningLevel.choices)
    reasons = models.TextField(_("reasons"), blank=True)
    measures_required = models.TextField(_("required measures"), blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feedback = models.TextField(_("measures taken"), blank=True)
    feedback_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["notice", "unit__code"]
        verbose_name = _("school warning")
        verbose_name_plural = _("school warnings")
        constraints = [
            models.UniqueConstraint(fields=["notice", "unit"], name="risk_one_warning_per_school"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("risk:school_warning", args=[self.pk])
