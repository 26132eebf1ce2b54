"""Checklist templates (检查表): families, versions, sections and items; publishing.

A published version is frozen: inspections point at it (PROTECT), so editing one in place
would rewrite finished inspections. The bureau drafts a new version, edits it, and
publishes it; the version it replaces is retired and keeps its items.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from safecampus.inspections.choices import (
    HazardCategory,
    HazardLevel,
    ItemType,
    TemplateKind,
    VersionStatus,
)
from safecampus.inspections.errors import InspectionError
from safecampus.inspections.models import (
    ChecklistTemplate,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)
from safecampus.inspections.services.common import audit, require_role
from safecampus.organizations.choices import Role

#: Who writes and publishes checklists: the bureau's safety officer and its inspectors.
TEMPLATE_EDITOR_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.INSPECTOR})

#: The fields of an item a draft may change, with their defaults for a new item.
ITEM_DEFAULTS: dict[str, Any] = {
    "text": "",
    "text_en": "",
    "guidance": "",
    "guidance_en": "",
    "item_type": ItemType.YES_NO,
    "required": True,
    "weight": Decimal(1),
    "severity": "",
    "category": "",
    "photo_on_fail": True,
    "veto": False,
    "min_value": None,
    "max_value": None,
    "unit_label": "",
    "unit_label_en": "",
}
ITEM_FIELDS = ("code", *ITEM_DEFAULTS)


def _published_refusal() -> InspectionError:
    return InspectionError(
        _("A published version cannot be changed: draft a new version."), code="published"
    )


def _lock_draft(version: TemplateVersion) -> TemplateVersion:
    """The version row, locked, if it is still a draft (call inside a transaction)."""
    locked = TemplateVersion.objects.select_for_update().filter(pk=version.pk).first()
    if locked is None or locked.status != VersionStatus.DRAFT:
        raise _published_refusal()
    return locked


def current_version(template: ChecklistTemplate) -> TemplateVersion | None:
    """The published version new inspections use, if any."""
    return template.versions.filter(status=VersionStatus.PUBLISHED).first()


# --- families -------------------------------------------------------------------------


def template_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    description: str = "",
    name_en: str = "",
    description_en: str = "",
) -> ChecklistTemplate:
    """Create a checklist family and its first draft (version 1). The English name and
    description are optional: empty, English readers see the Chinese."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    code = code.strip().lower()
    if not code or slugify(code) != code or len(code) > 40:
        raise InspectionError(
            _("The code may contain only lower-case letters, digits and hyphens."),
            code="bad_code",
        )
    if not name.strip():
        raise InspectionError(_("Give the checklist a name."), code="name_required")
    if kind not in TemplateKind.values:
        raise InspectionError(_("Choose the kind of checklist."), code="bad_kind")
    with transaction.atomic():
        if ChecklistTemplate.objects.filter(code=code).exists():
            raise InspectionError(
                _("A checklist with the code “%(code)s” already exists.") % {"code": code},
                code="duplicate_code",
            )
        template = ChecklistTemplate.objects.create(
            code=code,
            name=name.strip()[:120],
            name_en=name_en.strip()[:120],
            kind=kind,
            description=description.strip(),
            description_en=description_en.strip(),
        )
        version = TemplateVersion.objects.create(template=template, number=1, created_by=actor)
        audit(actor, template, "created", {"code": code, "kind": kind, "version": version.pk})
    return template


def template_update(
    *,
    actor: Any,
    template: ChecklistTemplate,
    name: str,
    description: str = "",
    name_en: str = "",
    description_en: str = "",
) -> ChecklistTemplate:
    """Rename a family or change its description, in Chinese and English (the versions'
    content is untouched)."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    if not name.strip():
        raise InspectionError(_("Give the checklist a name."), code="name_required")
    with transaction.atomic():
        template.name, template.description = name.strip()[:120], description.strip()
        template.name_en, template.description_en = name_en.strip()[:120], description_en.strip()
        template.save(
            update_fields=["name", "name_en", "description", "description_en", "updated_at"]
        )
        audit(actor, template, "updated", {"name": template.name, "name_en": template.name_en})
    return template


def template_set_active(*, actor: Any, template: ChecklistTemplate, active: bool) -> None:
    """Switch a family on or off; plans of an inactive checklist generate nothing."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    with transaction.atomic():
        template.is_active = active
        template.save(update_fields=["is_active", "updated_at"])
        audit(actor, template, "activated" if active else "deactivated")


# --- versions -------------------------------------------------------------------------


def _copy_content(source: TemplateVersion, target: TemplateVersion) -> None:
    sections = {}
    for section in source.sections.order_by("order", "id"):
        sections[section.pk] = TemplateSection.objects.create(
            version=target, order=section.order, title=section.title, title_en=section.title_en
        )
    TemplateItem.objects.bulk_create(
        TemplateItem(
            version=target,
            section=sections[item.section_id],
            order=item.order,
            **{field: getattr(item, field) for field in ITEM_FIELDS},
        )
        for item in source.items.order_by("section__order", "order", "id")
    )


def version_draft(*, actor: Any, template: ChecklistTemplate) -> TemplateVersion:
    """A new draft copying the sections and items of the published version (or of the
    latest one when nothing is published). One draft per family at a time."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    with transaction.atomic():
        family = ChecklistTemplate.objects.select_for_update().get(pk=template.pk)
        versions = family.versions.all()
        if versions.filter(status=VersionStatus.DRAFT).exists():
            raise InspectionError(
                _("This checklist already has a draft: edit or discard it first."),
                code="draft_exists",
            )
        source = (
            versions.filter(status=VersionStatus.PUBLISHED).first()
            or versions.order_by("-number").first()
        )
        number = (versions.aggregate(top=Max("number"))["top"] or 0) + 1
        draft = TemplateVersion.objects.create(
            template=family,
            number=number,
            created_by=actor,
            pass_percent=source.pass_percent if source else 80,
        )
        if source is not None:
            _copy_content(source, draft)
        audit(
            actor, draft, "drafted", {"number": number, "from": source.number if source else None}
        )
    return draft


def version_update(
    *, actor: Any, version: TemplateVersion, pass_percent: int, notes: str = ""
) -> TemplateVersion:
    """Change a draft's pass mark and its note of what changed."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    if not 0 <= pass_percent <= 100:
        raise InspectionError(_("The pass mark is a percentage from 0 to 100."), code="bad_pass")
    with transaction.atomic():
        locked = _lock_draft(version)
        locked.pass_percent, locked.notes = pass_percent, notes.strip()
        locked.save(update_fields=["pass_percent", "notes"])
        audit(actor, locked, "updated", {"pass_percent": pass_percent})
    version.pass_percent, version.notes = locked.pass_percent, locked.notes
    return locked


def version_publish(*, actor: Any, version: TemplateVersion) -> TemplateVersion:
    """Publish a draft: it becomes what new inspections use, and the version it replaces is
    retired. Inspections already made keep the version they used."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    with transaction.atomic():
        locked = _lock_draft(version)
        if not locked.items.exists():
            raise InspectionError(
                _("Add at least one item before publishing."), code="empty_version"
            )
        previous = locked.template.versions.filter(status=VersionStatus.PUBLISHED).first()
        if previous is not None:
            # Retire first: the partial unique constraint allows one published version.
            previous.status = VersionStatus.RETIRED
            previous.save(update_fields=["status"])
        locked.status = VersionStatus.PUBLISHED
        locked.published_at, locked.published_by = timezone.now(), actor
        locked.save(update_fields=["status", "published_at", "published_by"])
        audit(
            actor,
            locked,
            "published",
            {"number": locked.number, "retired": previous.number if previous else None},
        )
    version.status, version.published_at = locked.status, locked.published_at
    version.published_by = actor
    return locked


def version_discard(*, actor: Any, version: TemplateVersion) -> None:
    """Delete a draft with its sections and items; published and retired versions stay."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    with transaction.atomic():
        locked = _lock_draft(version)
        audit(actor, locked.template, "draft_discarded", {"number": locked.number})
        try:
            locked.delete()
        except ProtectedError as exc:
            raise InspectionError(
                _("Inspections use this version; it cannot be discarded."), code="in_use"
            ) from exc


# --- sections -------------------------------------------------------------------------


def _title(title: str, *, required: bool = True) -> str:
    title = title.strip()
    if required and not title:
        raise InspectionError(_("Give the section a title."), code="title_required")
    if len(title) > 120:
        raise InspectionError(_("The title is too long (120 characters at most)."), code="long")
    return title


def section_add(
    *, actor: Any, version: TemplateVersion, title: str, title_en: str = ""
) -> TemplateSection:
    """Append a section to a draft (the English title is optional)."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    title, title_en = _title(title), _title(title_en, required=False)
    with transaction.atomic():
        locked = _lock_draft(version)
        top = locked.sections.aggregate(top=Max("order"))["top"]
        section = TemplateSection.objects.create(
            version=locked, title=title, title_en=title_en, order=0 if top is None else top + 1
        )
        audit(actor, locked, "section_added", {"section": section.pk, "title": title})
    return section


def section_update(
    *, actor: Any, section: TemplateSection, title: str, title_en: str = ""
) -> TemplateSection:
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    title, title_en = _title(title), _title(title_en, required=False)
    with transaction.atomic():
        locked = _lock_draft(section.version)
        section.title, section.title_en = title, title_en
        section.save(update_fields=["title", "title_en"])
        audit(
            actor,
            locked,
            "section_updated",
            {"section": section.pk, "title": title, "title_en": title_en},
        )
    return section


def section_delete(*, actor: Any, section: TemplateSection) -> None:
    """Delete a draft's section and its items."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    with transaction.atomic():
        locked = _lock_draft(section.version)
        audit(actor, locked, "section_deleted", {"section": section.pk, "title": section.title})
        section.delete()


def section_move(*, actor: Any, section: TemplateSection, offset: int) -> None:
    """Move a section up (-1) or down (+1) among the draft's sections."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    with transaction.atomic():
        locked = _lock_draft(section.version)
        siblings = list(locked.sections.order_by("order", "id"))
        _reorder(siblings, section.pk, offset)
        audit(actor, locked, "section_moved", {"section": section.pk, "offset": offset})


# --- items ----------------------------------------------------------------------------


def _decimal(value: Any, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise InspectionError(
            _("%(field)s must be a number.") % {"field": label}, code="bad_number"
        ) from exc
    if not number.is_finite() or abs(number) >= Decimal("1e8"):
        raise InspectionError(
            _("%(field)s must be a number.") % {"field": label}, code="bad_number"
        )
    return number


def _clean_item(data: dict[str, Any]) -> dict[str, Any]:
    """Normalise and check an item's fields; every refusal names the problem."""
    clean = dict(data)
    clean["code"] = str(clean.get("code") or "").strip()
    for field in ("text", "text_en", "guidance", "guidance_en", "unit_label", "unit_label_en"):
        clean[field] = str(clean.get(field) or "").strip()
    clean["severity"] = clean.get("severity") or ""
    clean["category"] = clean.get("category") or ""
    if not clean["code"] or len(clean["code"]) > 20:
        raise InspectionError(_("Give the item a code of up to 20 characters."), code="bad_code")
    if not clean["text"] or len(clean["text"]) > 300:
        raise InspectionError(
            _("Say what is checked (300 characters at most)."), code="text_required"
        )
    if len(clean["text_en"]) > 300 or len(clean["unit_label_en"]) > 20:
        raise InspectionError(_("The English text is too long."), code="long")
    if clean["item_type"] not in ItemType.values:
        raise InspectionError(_("Choose the answer type."), code="bad_type")
    weight = _decimal(clean["weight"], _("Points"))
    if weight is None or weight < 0:
        raise InspectionError(_("Points cannot be negative."), code="bad_weight")
    if clean["item_type"] == ItemType.SCORE and weight <= 0:
        raise InspectionError(
            _("A score item needs points greater than zero."), code="score_weight"
        )
    clean["weight"] = weight
    clean["min_value"] = _decimal(clean["min_value"], _("Lowest acceptable"))
    clean["max_value"] = _decimal(clean["max_value"], _("Highest acceptable"))
    if clean["item_type"] != ItemType.NUMBER:
        clean["min_value"] = clean["max_value"] = None
    elif (
        clean["min_value"] is not None
        and clean["max_value"] is not None
        and clean["min_value"] > clean["max_value"]
    ):
        raise InspectionError(
            _("The lowest acceptable value is above the highest."), code="bad_range"
        )
    if clean["severity"] not in ("", *HazardLevel.values):
        raise InspectionError(_("Choose a hazard level or none."), code="bad_severity")
    if clean["category"] not in ("", *HazardCategory.values):
        raise InspectionError(_("Choose a hazard category or none."), code="bad_category")
    for flag in ("required", "photo_on_fail", "veto"):
        clean[flag] = bool(clean[flag])
    return clean


def _check_code_free(version: TemplateVersion, code: str, exclude: int | None = None) -> None:
    taken = version.items.filter(code=code)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise InspectionError(
            _("Item code “%(code)s” is already used in this version.") % {"code": code},
            code="duplicate_item_code",
        )


def item_add(*, actor: Any, section: TemplateSection, code: str, **fields: Any) -> TemplateItem:
    """Append an item to a draft's section (fields as ``ITEM_DEFAULTS``)."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    unknown = set(fields) - set(ITEM_DEFAULTS)
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    clean = _clean_item({**ITEM_DEFAULTS, **fields, "code": code})
    with transaction.atomic():
        locked = _lock_draft(section.version)
        _check_code_free(locked, clean["code"])
        top = section.items.aggregate(top=Max("order"))["top"]
        item = TemplateItem.objects.create(
            version=locked, section=section, order=0 if top is None else top + 1, **clean
        )
        audit(actor, locked, "item_added", {"item": item.pk, "code": item.code})
    return item


def item_update(*, actor: Any, item: TemplateItem, **fields: Any) -> TemplateItem:
    """Change a draft item's fields (any of ``ITEM_FIELDS``)."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    unknown = set(fields) - set(ITEM_FIELDS)
    if unknown:
        raise TypeError(f"unknown item fields: {sorted(unknown)}")
    current = {field: getattr(item, field) for field in ITEM_FIELDS}
    clean = _clean_item({**current, **fields})
    with transaction.atomic():
        locked = _lock_draft(item.version)
        _check_code_free(locked, clean["code"], exclude=item.pk)
        changed = {k: str(v) for k, v in clean.items() if current[k] != v}
        for field, value in clean.items():
            setattr(item, field, value)
        item.save(update_fields=list(ITEM_FIELDS))
        audit(actor, locked, "item_updated", {"item": item.pk, "changed": changed})
    return item


def item_delete(*, actor: Any, item: TemplateItem) -> None:
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    with transaction.atomic():
        locked = _lock_draft(item.version)
        audit(actor, locked, "item_deleted", {"item": item.pk, "code": item.code})
        item.delete()


def item_move(*, actor: Any, item: TemplateItem, offset: int) -> None:
    """Move an item up (-1) or down (+1) within its section."""
    require_role(actor, TEMPLATE_EDITOR_ROLES)
    with transaction.atomic():
        locked = _lock_draft(item.version)
        siblings = list(
            TemplateItem.objects.filter(section_id=item.section_id).order_by("order", "id")
        )
        _reorder(siblings, item.pk, offset)
        audit(actor, locked, "item_moved", {"item": item.pk, "offset": offset})


def _reorder(rows: list[Any], pk: int, offset: int) -> None:
    """Move row ``pk`` by ``offset`` places (clamped) and number the rows 0, 1, 2, …"""
    if offset not in (-1, 1):
        raise InspectionError(_("Move one place up or down."), code="bad_move")
    index = next((i for i, row in enumerate(rows) if row.pk == pk), None)
    if index is None:
        raise InspectionError(_("The request was not understood."), code="bad_move")
    target = min(max(index + offset, 0), len(rows) - 1)
    rows.insert(target, rows.pop(index))
    for order, row in enumerate(rows):
        if row.order != order:
            row.order = order
            row.save(update_fields=["order"])
