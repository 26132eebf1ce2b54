"""Downloading attachments, only ever as a download and only through the owner's scope."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from django.http import FileResponse, Http404, HttpRequest
from django.views import View

from safecampus.attachments.selectors import attachment_get
from safecampus.attachments.services import attachment_open
from safecampus.core.access import Access, AccessMixin

logger = logging.getLogger(__name__)


class AttachmentDownloadView(AccessMixin, View):
    """The file as a download with its detected type; 404 when its owner is out of scope."""

    access = Access.authenticated()

    def get(self, request: HttpRequest, attachment_id: uuid.UUID) -> FileResponse:
        attachment = attachment_get(user=request.user, pk=attachment_id)
        if attachment is None:
            raise Http404
        try:
            handle = attachment_open(actor=request.user, attachment=attachment, request=request)
        except FileNotFoundError as exc:
            logger.error("Attachment %s has no stored file.", attachment.pk)
            raise Http404 from exc
        response = FileResponse(handle, as_attachment=True, content_type=attachment.content_type)
        # RFC 6266/5987 form only: every supported browser reads it, and no name is
        # squeezed into ASCII or left unquoted.
        response["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(attachment.download_name, safe='')}"
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response
