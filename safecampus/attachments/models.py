"""Files attached to any record (附件): evidence photos, scanned letters, recordings."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from safecampus.attachments.filetypes import BY_MIME, FileType


class Attachment(models.Model):
    """A stored file (附件) belonging to one owner record, of a type checked by its content.

    The owner decides who may see it: downloads load the owner through its model's
    ``visible_to(user)``. The stored name is random and carries no user input; the
    original name is kept, cleaned, only for display and the download's file name.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner_type = models.ForeignKey(
        ContentType, verbose_name=_("owner type"), on_delete=models.PROTECT, related_name="+"
    )
    # Text, so that owners with integer or UUID keys share one table.
    owner_id = models.CharField(_("owner id"), max_length=64)
    owner = GenericForeignKey("owner_type", "owner_id")
    original_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    metadata_stripped = models.BooleanField(_("metadata removed"), default=False)
    unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="attachment_owner_idx")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def file_type(self) -> FileType | None:
        return BY_MIME.get(self.content_type)

    @property
    def download_name(self) -> str:
        """The original name with the extension of the detected type (a PDF is ``*.pdf``)."""
        stem = PurePosixPath(self.original_name).stem or "attachment"
        extension = self.file_type.extension if self.file_type else ""
        return f"{stem}{extension}"
