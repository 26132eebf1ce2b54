"""Leads (线索) about organised crime and violence touching a school, their categories and
the record of dual reporting (双报告, R-2.2)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from safecampus.cases.models import CaseModel, CaseQuerySet, Deadline
from safecampus.cases.workflow import Workflow
from safecampus.core.fields import BlindIndexField, EncryptedTextField
from safecampus.core.i18n import english_field, localized
from safecampus.core.location import location_fields
from safecampus.leads.choices import (
    LEAD_WORKFLOW,
    SECOND_REPORT_CHANNELS,
    DualReportChannel,
    DualReportMethod,
    LeadResult,
    LeadSource,
    LeadStatus,
    MessageDirection,
    RevealStatus,
    Urgency,
)


class LeadCategory(models.Model):
    """A kind of lead (线索类别) as the plan lists them (R-2.1); sub-types name a parent.

    ``code`` of the six top-level categories is stable: the API and imports rely on it.
    ``conclude_days`` is this category's time limit to conclude, with the rule behind it.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = english_field(_("name in English"), 120)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    conclude_days = models.PositiveSmallIntegerField(
        _("working days to conclude"),
        null=True,
        blank=True,
        help_text=_("Empty: the district default applies."),
    )
    source = models.CharField(_("source of the time limit"), max_length=200, blank=True)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("lead category")
        verbose_name_plural = _("lead categories")

    def __str__(self) -> str:
        return localized(self)


class LeadQuerySet(CaseQuerySet):
    def missing_second_report(self) -> LeadQuerySet:
        """Leads reported to the safety section only, not yet to government or a department."""
        return self.exclude(dual_reports__channel__in=SECOND_REPORT_CHANNELS)

    def overdue(self, now: Any = None) -> LeadQuerySet:
        """Leads with an open time limit past its due time."""
        from django.contrib.contenttypes.models import ContentType

        late = Deadline.objects.overdue(now or timezone.now()).filter(
            content_type=ContentType.objects.get_for_model(self.model)
        )
        return self.filter(pk__in=late.values("object_id"))

    def not_spam(self) -> LeadQuerySet:
        return self.filter(is_spam=False)


class Lead(CaseModel):
    """A lead (线索): what happened, where, when, who — triaged by the bureau safety section.

    Scope is the kernel's: the bureau sees every lead, a school the leads it reported or
    that were assigned to it, an agency those transferred to it. The reporter's name and
    contact are encrypted and never shown to schools or agencies. The persons involved and
    the victims are encrypted too, and shown in full only to the lead's handlers
    (``persons.may_see_persons``), each view audited.
    """

    workflow: ClassVar[Workflow] = LEAD_WORKFLOW
    reference_prefix = "XS"

    status = models.CharField(
        _("status"), max_length=30, choices=LeadStatus.choices, db_index=True, editable=False
    )
    category = models.ForeignKey(
        LeadCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="leads"
    )
    description = models.TextField(_("what happened"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    school = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("school concerned"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    latitude, longitude = location_fields()
    occurred_at = models.DateTimeField(_("when it happened"), null=True, blank=True)
    # Names of pupils, often minors: encrypted, masked outside the lead's handlers (persons.py).
    persons_involved = EncryptedTextField(_("persons involved"), blank=True)
    victims = EncryptedTextField(_("victims"), blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    source = models.CharField(_("source"), max_length=20, choices=LeadSource.choices, db_index=True)
    result = models.CharField(_("result"), max_length=20, choices=LeadResult.choices, blank=True)
    #: When the lead was (last) concluded; the statistics' time to conclude reads it.
    concluded_at = models.DateTimeField(_("concluded at"), null=True, blank=True, editable=False)
    reporter_name = EncryptedTextField(_("reporter name"), blank=True)
    reporter_contact = EncryptedTextField(_("reporter contact"), blank=True)
    reporter_contact_hash = BlindIndexField(source="reporter_contact")
    is_anonymous = models.BooleanField(_("anonymous"), default=False)
    is_spam = models.BooleanField(_("spam"), default=False)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_leads",
        editable=False,
    )
    # Only the keyed hash of the portal receipt (see receipts.py); the receipt itself never.
    receipt_digest = models.CharField(
        _("receipt digest"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        db_index=True,
        editable=False,
    )

    objects = LeadQuerySet.as_manager()  # type: ignore[misc]  # narrows the kernel manager

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        # Cover the statistics' GROUP BYs (spam is left out of every count) and the ledger's
        # filters; measured on 200,000 leads in bench/leads.py.
        indexes = [
            models.Index(fields=["category", "status", "is_spam"], name="leads_category_status"),
            models.Index(fields=["school", "status", "is_spam"], name="leads_school_status"),
            models.Index(fields=["created_at", "status", "is_spam"], name="leads_created_status"),
            # The ledger's order (received time desc, id desc), alone and after the equality
            # filters it offers, so a page is read in order and the scan stops after 51 rows
            # (no sort of every match); EXPLAINs on 200,000 leads in docs/benchmarks.md.
            models.Index(fields=["-created_at", "-id"], name="leads_received"),
            models.Index(fields=["status", "-created_at", "-id"], name="leads_status_received"),
            models.Index(fields=["school", "-created_at", "-id"], name="leads_school_received"),
            models.Index(fields=["category", "-created_at", "-id"], name="leads_category_received"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(result="") | Q(status__in=[LeadStatus.CONCLUDED, LeadStatus.CLOSED]),
                name="leads_result_only_when_concluded",
            ),
        ]

    def get_absolute_url(self) -> str:
        return reverse("leads:detail", args=[self.pk])


class DualReport(models.Model):
    """One report of a lead to the bureau safety section (automatic) or to the local
    government or the relevant department (双报告, R-2.2): which, when, by whom, how."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="dual_reports")
    channel = models.CharField(_("reported to"), max_length=20, choices=DualReportChannel.choices)
    reported_to = models.CharField(_("office or person"), max_length=200, blank=True)
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    method = models.CharField(_("how"), max_length=20, choices=DualReportMethod.choices)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["reported_at", "id"]
        verbose_name = _("dual report")
        verbose_name_plural = _("dual reports")

    def __str__(self) -> str:
        return f"{self.lead_id} → {self.channel}"


class LeadMessage(models.Model):
    """A message between the bureau safety section and a portal reporter, in either direction.

    The body is encrypted; the reporter reads it with the receipt and never sees who wrote it.
    """

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(
        _("direction"), max_length=20, choices=MessageDirection.choices, editable=False
    )
    body = EncryptedTextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message with the reporter")
        verbose_name_plural = _("messages with the reporter")

    def __str__(self) -> str:
        return f"{self.lead_id} {self.direction}"


class RevealRequest(models.Model):
    """A request by a bureau safety officer to see a lead's reporter identity (R-2.1, R-7).

    Nobody sees the reporter alone: a second bureau user approves each request, and
    the approval lets only the requester see the identity, once, for a short time.
    Request, decision and each view are in the audit trail.
    """

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="reveal_requests")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=RevealStatus.choices, default=RevealStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    expires_at = models.DateTimeField(_("visible until"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("request to reveal the reporter")
        verbose_name_plural = _("requests to reveal the reporter")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="leads_reveal_needs_a_second_person",
            ),
            models.UniqueConstraint(
                fields=["lead", "requested_by"],
                condition=Q(status="pending"),
                name="leads_one_pending_reveal_per_requester",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lead_id} ← {self.requested_by_id} ({self.status})"
