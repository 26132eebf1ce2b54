"""The hazard register (隐患台账), rectification notices (整改通知书) and accountability
decisions (追责)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safecampus.cases.models import CaseModel, CaseQuerySet
from safecampus.cases.workflow import Workflow
from safecampus.core.fields import EncryptedTextField
from safecampus.core.models import TimeStampedModel
from safecampus.inspections.choices import (
    RECTIFICATION_WORKFLOW,
    AccountabilityMeasure,
    HazardCategory,
    HazardLevel,
    HazardSource,
    HazardStatus,
    RectificationStatus,
)
from safecampus.inspections.models.checklists import TemplateItem
from safecampus.inspections.models.inspections import Inspection
from safecampus.organizations.choices import Role
from safecampus.organizations.querysets import SchoolScopedQuerySet


class RectificationQuerySet(CaseQuerySet):
    def overdue(self, now: Any) -> RectificationQuerySet:
        from django.contrib.contenttypes.models import ContentType

        from safecampus.cases.models import Deadline

        late = Deadline.objects.overdue(now).filter(
            content_type=ContentType.objects.get_for_model(self.model)
        )
        return self.filter(pk__in=late.values("object_id"))


class Rectification(CaseModel):
    """A rectification notice (整改通知书): the hazards a school must fix by a deadline set by
    their gravest level, the school's measures and evidence, and the verification (验收).

    ``unit`` is the school. ``verifier_unit`` verifies: the bureau for its inspectors'
    findings and for every major hazard, the school itself for what it found on its own.
    """

    workflow: ClassVar[Workflow] = RECTIFICATION_WORKFLOW
    reference_prefix = "ZG"

    status = models.CharField(
        _("status"),
        max_length=30,
        choices=RectificationStatus.choices,
        db_index=True,
        editable=False,
    )
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectifications",
    )
    verifier_unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("verified by unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requirements = models.TextField(_("requirements"), blank=True)
    measures = models.TextField(_("measures taken"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    returns = models.PositiveSmallIntegerField(_("times returned"), default=0)
    #: The first deadline, kept for timeliness: was it submitted (finally accepted) in time?
    due_at = models.DateTimeField(_("due at"), null=True, blank=True, db_index=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        indexes = [
            models.Index(fields=["unit", "status"], name="insp_rect_unit_status"),
            models.Index(fields=["status", "due_at"], name="insp_rect_status_due"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("inspections:rectification", args=[self.pk])


class HazardQuerySet(SchoolScopedQuerySet):
    """Hazards of the user's schools (the bureau: all)."""


class Hazard(TimeStampedModel):
    """A hazard (隐患) in the register: a failed inspection item or one a school or an
    inspector reports. A major hazard needs a named interim control measure (临时管控措施)
    and a person responsible for it until it is closed."""

    school = models.ForeignKey(
        "organizations.Unit", verbose_name=_("school"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=HazardCategory.choices)
    level = models.CharField(_("level"), max_length=10, choices=HazardLevel.choices)
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=12, choices=HazardStatus.choices, default=HazardStatus.OPEN
    )
    source = models.CharField(_("source"), max_length=20, choices=HazardSource.choices)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    found_by_label = models.CharField(_("found by"), max_length=150, blank=True)
    found_at = models.DateTimeField(_("found at"), db_index=True)
    inspection = models.ForeignKey(
        Inspection,
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    item = models.ForeignKey(
        TemplateItem,
        verbose_name=_("checklist item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("rectification notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards",
    )
    interim_measure = models.TextField(_("interim control measure"), blank=True)
    interim_responsible = models.CharField(
        _("responsible for the measure"), max_length=60, blank=True
    )
    measures = models.TextField(_("measures taken"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        ordering = ["-found_at", "-id"]
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        indexes = [
            models.Index(fields=["school", "status", "found_at"], name="insp_hazard_school"),
            models.Index(fields=["status", "level", "found_at"], name="insp_hazard_status"),
            models.Index(fields=["category", "found_at"], name="insp_hazard_category"),
            # The register's filters: a level alone or with a period, a category with a status
            # (the count above the table read every row of the level or category: 1–4 ms).
            models.Index(fields=["level", "found_at"], name="insp_hazard_level"),
            models.Index(fields=["category", "status", "found_at"], name="insp_hazard_cat_status"),
            # "Closed this year" on the register's cards and the home page: a range of the
            # index instead of reading every closed hazard's row (42 → ~2 ms, 34,000 hazards).
            models.Index(fields=["status", "closed_at"], name="insp_hazard_closed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=HazardStatus.CLOSED) | Q(closed_at__isnull=False),
                name="insp_hazard_closed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.school} · {self.get_level_display()} · {self.description[:40]}"

    def get_absolute_url(self) -> str:
        return reverse("inspections:hazard", args=[self.pk])

    @property
    def needs_interim_measure(self) -> bool:
        return self.level == HazardLevel.MAJOR and not (
            self.interim_measure.strip() and self.interim_responsible.strip()
        )


#: Who reads accountability decisions: the bureau leader and the auditor, nobody else.
ACCOUNTABILITY_READERS = frozenset({Role.BUREAU_LEADER, Role.AUDITOR})


class AccountabilityQuerySet(models.QuerySet["AccountabilityDecision"]):
    def visible_to(self, user: Any) -> AccountabilityQuerySet:
        scope = getattr(user, "scope", None)
        if scope is None or not scope.has_role(*ACCOUNTABILITY_READERS):
            return self.none()
        return self.all()


class AccountabilityDecision(TimeStampedModel):
    """An accountability decision (追责决定) where poor work led to a serious case (R-8.3):
    unit, person, the case or hazard it concerns, reason, measure, date. Readable by the
    bureau leader and the auditor only; the person's name is encrypted at rest."""

    unit = models.ForeignKey(
        "organizations.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    person_name = EncryptedTextField(_("person held accountable"))
    person_position = models.CharField(_("position"), max_length=100, blank=True)
    hazard = models.ForeignKey(
        Hazard,
        verbose_name=_("hazard"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    case_reference = models.CharField(_("case reference"), max_length=40, blank=True)
    reason = models.TextField(_("reason"))
    measure = models.CharField(_("measure"), max_length=20, choices=AccountabilityMeasure.choices)
    measure_detail = models.TextField(_("details of the measure"), blank=True)
    decided_on = models.DateField(_("decided on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AccountabilityQuerySet.as_manager()

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("accountability decision")
        verbose_name_plural = _("accountability decisions")

    def __str__(self) -> str:
        return f"{self.decided_on:%Y-%m-%d} {self.get_measure_display()}"
