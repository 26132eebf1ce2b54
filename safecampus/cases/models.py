"""The case kernel (案件内核): the abstract case, its timeline, deadlines, transfers, calendar.

Leads, incidents, bullying cases, rectification orders and alerts subclass
``CaseModel`` and declare a ``Workflow``; the timeline, deadlines and transfers
of every case type live in the shared tables below, keyed by content type and id.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safecampus.cases.choices import CaseEventKind, TransferStatus
from safecampus.core.models import TimeStampedModel

if TYPE_CHECKING:
    from safecampus.cases.workflow import Workflow


class CaseQuerySet(models.QuerySet):
    """The default scope of a case type; a case type may narrow or widen it in its own queryset."""

    def visible_to(self, user: Any) -> CaseQuerySet:
        """Bureau roles see every case; a school its own cases and those assigned to it; a
        partner agency the cases assigned or transferred to it; anyone else nothing."""
        scope = getattr(user, "scope", None)
        if scope is None:
            return self.none()
        if scope.district_wide:
            return self.all()
        conditions = []
        if scope.school_unit_ids:
            schools = scope.school_unit_ids
            conditions.append(Q(unit_id__in=schools) | Q(assignee_unit_id__in=schools))
        if scope.agency_unit_ids:
            agencies = scope.agency_unit_ids
            transferred = Transfer.objects.filter(
                content_type=ContentType.objects.get_for_model(self.model),
                to_unit_id__in=agencies,
            ).values("object_id")
            conditions.append(Q(assignee_unit_id__in=agencies) | Q(pk__in=transferred))
        if not conditions:
            return self.none()
        combined = conditions[0]
        for condition in conditions[1:]:
            combined |= condition
        return self.filter(combined)


class CaseModel(TimeStampedModel):
    """The fields every case type shares. Subclasses declare ``workflow`` and
    ``reference_prefix`` and never write ``status`` themselves: the kernel's services do."""

    workflow: ClassVar[Workflow]
    reference_prefix: ClassVar[str] = "CASE"
    unit_id: int
    assignee_unit_id: int | None
    assignee_id: int | None

    reference = models.CharField(
        _("reference"), max_length=40, unique=True, null=True, blank=True, editable=False
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=30, db_index=True, editable=False)
    unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("owning unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee_unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("assigned unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned person"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    # Bumped by every kernel write, so a form posted against an older state is refused.
    lock_version = models.PositiveIntegerField(default=0, editable=False)

    events = GenericRelation("cases.CaseEvent")
    deadlines = GenericRelation("cases.Deadline")
    transfers = GenericRelation("cases.Transfer")

    objects = CaseQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.reference or '—'} {self.title}"

    @property
    def status_label(self) -> str:
        return self.workflow.label(self.status)

    @property
    def is_closed(self) -> bool:
        return self.workflow.is_terminal(self.status)


class CaseRelatedQuerySet(models.QuerySet):
    def for_case(self, case: models.Model) -> Self:
        return self.filter(content_type=ContentType.objects.get_for_model(case), object_id=case.pk)


class CaseEvent(models.Model):
    """One row of a case's timeline (时间线): who did what, when, from which status to which.

    Also the record that follow-up work and reports read; rows are only appended.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept beside the key so the timeline still names a person whose account was removed.
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CaseEventKind.choices)
    from_status = models.CharField(_("from status"), max_length=30, blank=True)
    to_status = models.CharField(_("to status"), max_length=30, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    objects = CaseRelatedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [
            models.Index(fields=["content_type", "object_id", "at"], name="cases_event_case_at"),
            models.Index(fields=["kind", "at"], name="cases_event_kind_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class DeadlineQuerySet(CaseRelatedQuerySet):
    def open(self) -> DeadlineQuerySet:
        return self.filter(met_at__isnull=True, cancelled_at__isnull=True)

    def overdue(self, now: datetime) -> DeadlineQuerySet:
        return self.open().filter(due_at__lt=now)

    def due_for_escalation(self, now: datetime) -> DeadlineQuerySet:
        return self.overdue(now).filter(escalated_at__isnull=True)


class Deadline(models.Model):
    """A time limit (办理时限) on a case, in calendar or working days.

    At most one open deadline per case and purpose. An open deadline past its
    due time is escalated once, to ``escalate_to``; it stays open until met or
    cancelled (superseded by a new deadline for the same purpose).
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")
    purpose = models.CharField(_("purpose"), max_length=40)
    label = models.CharField(_("label"), max_length=120, blank=True)
    started_at = models.DateTimeField(_("counted from"))
    days = models.PositiveIntegerField(_("days"))
    working_days = models.BooleanField(_("working days"), default=True)
    due_at = models.DateTimeField(_("due at"))
    escalate_to = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("escalate to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "purpose"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="cases_one_open_deadline_per_purpose",
            ),
            models.CheckConstraint(
                condition=Q(met_at__isnull=True) | Q(cancelled_at__isnull=True),
                name="cases_deadline_met_or_cancelled",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="cases_deadline_case"),
            # The sweeper's query: open, not yet escalated, by due time.
            models.Index(
                fields=["due_at"],
                condition=Q(
                    met_at__isnull=True, cancelled_at__isnull=True, escalated_at__isnull=True
                ),
                name="cases_deadline_sweep",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} ≤ {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.is_open and self.due_at < (now or timezone.now())


class Transfer(models.Model):
    """A case handed to another unit (移交/转办), which owes feedback (反馈) by a deadline.

    One pending transfer per case and receiving unit.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    case = GenericForeignKey("content_type", "object_id")
    from_unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("from unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    to_unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("to unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("transferred at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transferred by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TransferStatus.choices,
        default=TransferStatus.PENDING,
    )
    feedback_deadline = models.OneToOneField(
        Deadline,
        verbose_name=_("feedback due"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="transfer",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feedback_at = models.DateTimeField(_("feedback at"), null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("feedback by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feedback_note = models.TextField(_("feedback"), blank=True)

    objects = CaseRelatedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "to_unit"],
                condition=Q(status=TransferStatus.PENDING),
                name="cases_one_pending_transfer_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(status=TransferStatus.PENDING, feedback_at__isnull=True)
                | Q(
                    status__in=[TransferStatus.ANSWERED, TransferStatus.RETURNED],
                    feedback_at__isnull=False,
                ),
                name="cases_transfer_feedback_matches_status",
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="cases_transfer_case"),
            models.Index(fields=["to_unit", "status"], name="cases_transfer_to_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.from_unit_id} → {self.to_unit_id} ({self.status})"


class HolidayOverride(TimeStampedModel):
    """A day the official calendar gets wrong or does not know yet (节假日调整).

    For years chinese-calendar does not cover, the bureau enters the State
    Council's holidays (days off) and make-up working days (调休上班) here.
    A row always wins over the official calendar.
    """

    day = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=60)
    source = models.CharField(
        _("source"),
        max_length=200,
        blank=True,
        help_text=_("The notice that announced it, e.g. the State Council General Office notice."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("holiday override")
        verbose_name_plural = _("holiday overrides")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"
