"""Inspection plans (检查计划), inspections and their answers."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safecampus.core.models import TimeStampedModel
from safecampus.inspections.choices import (
    AnswerResult,
    Frequency,
    InspectionStatus,
    Performer,
    TemplateKind,
)
from safecampus.inspections.models.checklists import (
    ChecklistTemplate,
    TemplateItem,
    TemplateVersion,
)
from safecampus.organizations.querysets import SchoolScopedQuerySet


class InspectionPlanQuerySet(models.QuerySet["InspectionPlan"]):
    def visible_to(self, user: Any) -> InspectionPlanQuerySet:
        """Plans are the bureau's; schools see their inspections, not the plans."""
        scope = getattr(user, "scope", None)
        if scope is None or not scope.district_wide:
            return self.none()
        return self.all()


class InspectionPlan(TimeStampedModel):
    """Who inspects which schools with which checklist, how often (检查计划). Generates the
    due inspections; an empty school list means every active school."""

    name = models.CharField(_("name"), max_length=120)
    template = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        on_delete=models.PROTECT,
        related_name="plans",
    )
    performer = models.CharField(_("performed by"), max_length=10, choices=Performer.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    times_per_period = models.PositiveSmallIntegerField(
        _("times per period"), default=1, validators=[MinValueValidator(1)]
    )
    schools = models.ManyToManyField(
        "organizations.Unit",
        verbose_name=_("schools"),
        blank=True,
        related_name="+",
        limit_choices_to={"kind": "school"},
    )
    school_kinds = models.JSONField(_("school kinds"), default=list, blank=True)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InspectionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")

    def __str__(self) -> str:
        return self.name


class InspectionQuerySet(SchoolScopedQuerySet):
    def overdue(self, today: Any) -> InspectionQuerySet:
        return self.filter(
            status__in=[InspectionStatus.DUE, InspectionStatus.DRAFT], due_on__lt=today
        )


class Inspection(TimeStampedModel):
    """One inspection (检查) of one school with one checklist version: due, in progress,
    submitted with its score, or cancelled."""

    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    version = models.ForeignKey(
        TemplateVersion,
        verbose_name=_("checklist version"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TemplateKind.choices, db_index=True)
    school = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    performer = models.CharField(_("performed by"), max_length=10, choices=Performer.choices)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("inspector"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    period = models.CharField(_("period"), max_length=20, blank=True)
    sequence = models.PositiveSmallIntegerField(default=1)
    due_on = models.DateField(_("due on"), db_index=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=InspectionStatus.choices,
        default=InspectionStatus.DUE,
        db_index=True,
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(
        _("maximum score"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    score_percent = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    veto_failed = models.BooleanField(_("veto item failed"), default=False)
    findings_count = models.PositiveIntegerField(_("findings"), default=0)
    summary = models.TextField(_("overall remarks"), blank=True)
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-due_on", "-id"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "school", "period", "sequence"],
                condition=Q(plan__isnull=False),
                name="insp_one_per_plan_period",
            ),
            models.CheckConstraint(
                condition=~Q(status=InspectionStatus.SUBMITTED)
                | Q(submitted_at__isnull=False, score_percent__isnull=False),
                name="insp_submitted_has_score",
            ),
        ]
        indexes = [
            models.Index(fields=["school", "status", "due_on"], name="insp_school_status"),
            models.Index(fields=["kind", "status", "submitted_at"], name="insp_kind_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.version.template} · {self.school} · {self.due_on:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:inspection", args=[self.pk])


class InspectionAnswer(models.Model):
    """The answer to one item of one inspection; saved as the inspector goes (drafts)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(TemplateItem, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("result"), max_length=4, choices=AnswerResult.choices, blank=True)
    number = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("answer"), blank=True)
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["inspection", "item__section__order", "item__order"]
        verbose_name = _("inspection answer")
        verbose_name_plural = _("inspection answers")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="insp_one_answer_per_item"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection_id}/{self.item_id} {self.result}"
