"""Reading attachments: always through the owner's visibility, so another school's file is a 404."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models

from safecampus.attachments.models import Attachment
from safecampus.attachments.owners import visible_owners


def attachment_list(*, user: Any, owner: models.Model) -> models.QuerySet[Attachment]:
    """The attachments of ``owner``, oldest first; none when ``user`` may not see the owner."""
    model = owner._meta.concrete_model or type(owner)
    if not visible_owners(model, user).filter(pk=owner.pk).exists():
        return Attachment.objects.none()
    return Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(model), owner_id=str(owner.pk)
    ).select_related("uploaded_by")


def attachment_get(*, user: Any, pk: uuid.UUID | str) -> Attachment | None:
    """The attachment ``pk`` when ``user`` may see its owner, else None (as if it did not exist).

    An owner model without a visibility rule hides its attachments from everyone.
    """
    try:
        attachment = Attachment.objects.select_related("owner_type").filter(pk=pk).first()
        model = attachment.owner_type.model_class() if attachment else None
        if attachment is None or model is None:
            return None
        visible = visible_owners(model, user).filter(pk=attachment.owner_id).exists()
    except (ValueError, ValidationError):  # a malformed id names nothing
        return None
    return attachment if visible else None
