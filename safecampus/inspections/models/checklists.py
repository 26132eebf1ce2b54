"""Checklists (检查表): templates, versions, sections and items."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safecampus.core.i18n import english_field, localized
from safecampus.core.models import TimeStampedModel
from safecampus.inspections.choices import (
    HazardCategory,
    HazardLevel,
    ItemType,
    TemplateKind,
    VersionStatus,
)


class ChecklistTemplateQuerySet(models.QuerySet["ChecklistTemplate"]):
    def visible_to(self, user: Any) -> ChecklistTemplateQuerySet:
        """Every bureau and school role reads checklists; partners and auditors do not."""
        scope = getattr(user, "scope", None)
        if scope is None or not (scope.district_wide or scope.school_unit_ids):
            return self.none()
        return self.all()


class ChecklistTemplate(TimeStampedModel):
    """A checklist (检查表) family: its versions carry the sections and items."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = english_field(_("name in English"), 120)
    kind = models.CharField(_("kind"), max_length=20, choices=TemplateKind.choices)
    description = models.TextField(_("description"), blank=True)
    description_en = english_field(_("description in English"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = ChecklistTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")

    def __str__(self) -> str:
        return localized(self, "name")


class TemplateVersion(models.Model):
    """One version of a checklist. Drafts are edited; a published version is frozen and is
    what new inspections use until a newer one is published (the old one is then retired)."""

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    #: Share of the maximum score an inspection needs to pass (percent).
    pass_percent = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    notes = models.TextField(_("what changed"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["template", "-number"]
        verbose_name = _("checklist version")
        verbose_name_plural = _("checklist versions")
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="insp_version_number"),
            models.UniqueConstraint(
                fields=["template"],
                condition=Q(status=VersionStatus.DRAFT),
                name="insp_one_draft_per_template",
            ),
            models.UniqueConstraint(
                fields=["template"],
                condition=Q(status=VersionStatus.PUBLISHED),
                name="insp_one_published_per_template",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class TemplateSection(models.Model):
    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=120)
    title_en = english_field(_("title in English"), 120)

    class Meta:
        ordering = ["version", "order", "id"]
        verbose_name = _("checklist section")
        verbose_name_plural = _("checklist sections")

    def __str__(self) -> str:
        return localized(self, "title")


class TemplateItem(models.Model):
    """One check: what to look at, how it is answered, what it weighs, and how grave a
    failure is (the level of the hazard it becomes; empty: a failure is no hazard)."""

    version = models.ForeignKey(TemplateVersion, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(TemplateSection, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    code = models.CharField(_("code"), max_length=20)
    text = models.CharField(_("check"), max_length=300)
    text_en = english_field(_("check in English"), 300)
    guidance = models.TextField(_("guidance"), blank=True)
    guidance_en = english_field(_("guidance in English"))
    item_type = models.CharField(
        _("answer type"), max_length=10, choices=ItemType.choices, default=ItemType.YES_NO
    )
    required = models.BooleanField(_("required"), default=True)
    weight = models.DecimalField(
        _("points"),
        max_digits=6,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0)],
    )
    severity = models.CharField(
        _("hazard level if failed"), max_length=10, choices=HazardLevel.choices, blank=True
    )
    category = models.CharField(
        _("hazard category"), max_length=20, choices=HazardCategory.choices, blank=True
    )
    #: A failed answer needs a photo as evidence (always for the photo type).
    photo_on_fail = models.BooleanField(_("photo required when failed"), default=True)
    #: 一票否决: failing this item fails the whole evaluation, whatever the score.
    veto = models.BooleanField(_("veto item"), default=False)
    min_value = models.DecimalField(
        _("lowest acceptable"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("highest acceptable"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    unit_label = models.CharField(_("unit"), max_length=20, blank=True)
    unit_label_en = english_field(_("unit in English"), 20)

    class Meta:
        ordering = ["version", "section__order", "order", "id"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="insp_item_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {localized(self, 'text')}"
