"""The append-only, hash-chained audit trail (审计日志)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    DENIED = "denied", _("Denied")
    FAILED = "failed", _("Failed")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def visible_to(self, user: Any) -> AuditEventQuerySet:
        """Only auditors read the trail (三员分立); everyone else sees nothing."""
        scope = getattr(user, "scope", None)
        if scope is None or not scope.is_auditor:
            return self.none()
        return self.all()


class AuditEvent(models.Model):
    """One audited fact: a write, a read of a sensitive field, a login, a refusal.

    Rows are never updated; database triggers refuse it. Each row carries the
    keyed hash of the row before it, so a changed, inserted or removed row
    breaks the chain that ``manage.py audit_verify`` walks.
    """

    at = models.DateTimeField(_("time"), db_index=True)
    # Plain ids, not foreign keys: deleting a user must never touch the trail.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True, db_index=True)
    actor_label = models.CharField(_("actor"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    unit_id = models.BigIntegerField(_("unit id"), null=True, blank=True, db_index=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=AuditResult.choices, default=AuditResult.SUCCESS
    )
    remote_addr = models.CharField(_("address"), max_length=45, blank=True)
    prev_hash = models.CharField(max_length=64)
    row_hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action}"


class AuditChainHead(models.Model):
    """The single row that serialises appends and remembers where the chain starts and ends.

    ``seal`` is a keyed hash of the other columns: without the audit key nobody can move the
    end back over deleted rows or the start forward over a cut. Only the untouched initial
    row (nothing written yet) may go without one.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
    # After a retention purge: the last purged row, whose hash the first remaining row follows.
    anchor_id = models.BigIntegerField(default=0)
    anchor_hash = models.CharField(max_length=64, default="0" * 64)
    seal = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"audit chain at #{self.last_id}"


class AuditPurgePermit(models.Model):
    """The signed leave for one retention purge; the delete trigger refuses deletes without one.

    It allows deleting rows up to ``up_to_id`` older than ``cutoff``. A trigger cannot check
    the keyed ``seal``, so a permit inserted by hand would let a delete through: ``audit_verify``
    reports every permit without a valid seal, and the cut it made, afterwards. Permits are
    kept (the triggers refuse changing or deleting them) as the record of every purge.
    """

    cutoff = models.DateTimeField()
    up_to_id = models.BigIntegerField(default=0)
    up_to_hash = models.CharField(max_length=64, default="")
    issued_at = models.DateTimeField(null=True)
    seal = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"purge before {self.cutoff:%Y-%m-%d}"
