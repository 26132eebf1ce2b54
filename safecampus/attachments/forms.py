"""Form fields that refuse a file before any service runs: too large or of a type not accepted."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from safecampus.attachments.errors import AttachmentError
from safecampus.attachments.filetypes import ALLOWED_TYPES
from safecampus.attachments.services import attachment_check

# For the browser's file picker only; the server decides by content.
ACCEPT = ",".join(
    sorted({t.extension for t in ALLOWED_TYPES.values()} | {t.mime for t in ALLOWED_TYPES.values()})
)


def validate_attachment(uploaded_file: Any) -> None:
    """Size and type by content, as ``attachment_create`` will check them."""
    try:
        attachment_check(uploaded_file)
    except AttachmentError as exc:
        raise ValidationError(str(exc.message), code=exc.code) from exc


class AttachmentField(forms.FileField):
    """One file, checked by ``validate_attachment``; the widget offers the accepted types."""

    default_validators = [validate_attachment]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("help_text", lazy(limit_help_text, str)())
        super().__init__(**kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleAttachmentField(AttachmentField):
    """Several files in one input; ``cleaned_data`` holds a list (empty when none were sent)."""

    def __init__(self, *, max_files: int = 10, **kwargs: Any) -> None:
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = [f for f in (data if isinstance(data, (list, tuple)) else [data]) if f]
        if not files:
            super().clean(None, initial)  # raises "required" when it is
            return []
        if len(files) > self.max_files:
            raise ValidationError(
                _("Upload at most %(count)d files at once."),
                code="too_many_files",
                params={"count": self.max_files},
            )
        return [super(MultipleAttachmentField, self).clean(f, initial) for f in files]


def limit_help_text() -> str:
    """The limit in the reader's language, read when shown (settings may change in tests)."""
    return _("Up to %(limit)s each: photos, PDF, Word, Excel, audio, MP4 video or text.") % {
        "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
    }


class AttachmentForm(forms.Form):
    """The form of the upload partial: one or more files under the name ``file``."""

    file = MultipleAttachmentField(label=_("Add files"))
