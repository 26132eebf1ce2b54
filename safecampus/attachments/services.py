"""Storing, opening, removing and sweeping attachments.

The owning app's service decides whether ``actor`` may attach to or remove from
its record; these services guarantee the file itself: the size limit, the type
by content, image metadata removed, bytes and row stored together or not at all,
and an audit row for every upload, download and removal.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from safecampus.attachments.errors import AttachmentError
from safecampus.attachments.filetypes import JPEG, WEBP, FileType, sniff
from safecampus.attachments.models import Attachment
from safecampus.attachments.owners import visibility_rule
from safecampus.attachments.storage import STORED_NAME, attachment_storage, new_stored_name
from safecampus.audit.services import audit_record

if TYPE_CHECKING:
    #: What the services accept: Django's uploaded files, or any seekable binary stream.
    Upload = IO[bytes] | File[Any]


_UNSAFE_NAME_CHARS = re.compile(r'[<>:"/\\|?*]')
_MAX_NAME = 200
_CHUNK = 64 * 1024


def clean_filename(name: str) -> str:
    """A display name: no folders, control, format (bidi) or reserved characters, ≤200 long."""
    base = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf"))
    base = _UNSAFE_NAME_CHARS.sub("_", base).strip(" .")
    if len(base) > _MAX_NAME:
        suffix = PurePosixPath(base).suffix[:16]
        base = base[: _MAX_NAME - len(suffix)] + suffix
    return base or "attachment"


def attachment_check(uploaded_file: Upload) -> FileType:
    """Refuse an upload that is empty, over ``ATTACHMENT_MAX_BYTES`` or of a type not accepted.

    The type comes from the bytes; the name and the browser's claimed type are ignored.
    """
    return _inspect(cast(IO[bytes], uploaded_file))[0]


def _inspect(uploaded_file: IO[bytes]) -> tuple[FileType, int, str]:
    limit = settings.ATTACHMENT_MAX_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise _too_large(limit)
    size, digest = _digest(uploaded_file, limit=limit)
    if size == 0:
        raise AttachmentError(_("The file is empty."), code="empty")
    file_type = sniff(uploaded_file)
    if file_type is None:
        raise AttachmentError(
            _(
                "This kind of file is not accepted. Upload a photo (JPEG, PNG, WebP), "
                "a PDF, Word or Excel document, audio (MP3, M4A, WAV), MP4 video or plain text."
            ),
            code="type_not_allowed",
        )
    return file_type, size, digest


def _too_large(limit: int) -> AttachmentError:
    return AttachmentError(
        _("The file is larger than the limit of %(limit)s.") % {"limit": filesizeformat(limit)},
        code="too_large",
        status_code=413,
    )


def _digest(fileobj: IO[bytes], *, limit: int | None = None) -> tuple[int, str]:
    # Counted while reading: a client can lie about the size, the bytes cannot.
    fileobj.seek(0)
    sha, size = hashlib.sha256(), 0
    while chunk := fileobj.read(_CHUNK):
        size += len(chunk)
        if limit is not None and size > limit:
            raise _too_large(limit)
        sha.update(chunk)
    fileobj.seek(0)
    return size, sha.hexdigest()


def _reencode_image(fileobj: IO[bytes], file_type: FileType) -> bytes:
    """The picture alone: drawn upright, re-encoded without EXIF, GPS, XMP or comments."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; refuse both.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(fileobj, formats=[file_type.image_format]) as image:
                limit = Image.MAX_IMAGE_PIXELS
                if limit is not None and image.width * image.height > limit:
                    raise Image.DecompressionBombError("too many pixels")
                image.load()
                upright = ImageOps.exif_transpose(image)
                out = io.BytesIO()
                upright.save(
                    out, format=file_type.image_format, **_save_options(file_type, upright)
                )
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise AttachmentError(
                _("The image has too many pixels to be processed safely."),
                code="image_too_large",
                status_code=413,
            ) from exc
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise AttachmentError(
                _("The image is damaged and cannot be read."), code="damaged_image"
            ) from exc
    return out.getvalue()


def _save_options(file_type: FileType, image: Image.Image) -> dict[str, Any]:
    # An allow-list: the encoders copy some of ``info`` (JPEG comments) unless it is emptied.
    kept = {k: image.info[k] for k in ("icc_profile", "transparency") if k in image.info}
    image.info.clear()
    if file_type == JPEG:
        kept.update(quality=90, optimize=True)
    elif file_type == WEBP:
        kept.update(quality=90)
    return kept


def _owner_type(owner: models.Model) -> ContentType:
    model = owner._meta.concrete_model or type(owner)
    if owner.pk is None:
        raise ValueError("Save the owner before attaching files to it.")
    if visibility_rule(model) is None:
        raise ImproperlyConfigured(
            f"{owner._meta.label} has no visible_to(user) and no registered owner rule; "
            "nobody could download its attachments."
        )
    return ContentType.objects.get_for_model(model)


def attachment_create(
    *,
    actor: Any,
    owner: models.Model,
    uploaded_file: Upload,
    unit_id: int | None = None,
) -> Attachment:
    """Attach a checked file to ``owner``; bytes and row are stored together or not at all.

    Images are re-encoded so that no location or camera data leaves the school.
    ``unit_id`` defaults to ``owner.unit_id``. Raises ``AttachmentError``.
    """
    owner_type = _owner_type(owner)
    stream = cast(IO[bytes], uploaded_file)
    file_type, size, digest = _inspect(stream)
    content: File[Any] = uploaded_file if isinstance(uploaded_file, File) else File(stream)
    if file_type.image_format:
        content = ContentFile(_reencode_image(stream, file_type))
        size, digest = _digest(content)
    storage = attachment_storage()
    stored_name = storage.save(new_stored_name(file_type.extension), content)
    try:
        with transaction.atomic():
            attachment = Attachment.objects.create(
                owner_type=owner_type,
                owner_id=str(owner.pk),
                original_name=clean_filename(getattr(uploaded_file, "name", "") or ""),
                stored_name=stored_name,
                content_type=file_type.mime,
                size=size,
                sha256=digest,
                metadata_stripped=bool(file_type.image_format),
                unit_id=unit_id if unit_id is not None else getattr(owner, "unit_id", None),
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            _audit(actor, attachment, "attachments.attachment.created")
    except BaseException:
        storage.delete(stored_name)
        raise
    return attachment


def _audit(
    actor: Any, attachment: Attachment, action: str, request: HttpRequest | None = None
) -> None:
    # No file name in the trail: names often carry a pupil's name, and auditors see the trail.
    audit_record(
        actor=actor,
        action=action,
        obj=attachment,
        object_repr=f"{attachment.content_type}, {attachment.size} B",
        unit_id=attachment.unit_id,
        request=request,
        changes={
            "owner": f"{attachment.owner_type.app_label}.{attachment.owner_type.model}",
            "owner_id": attachment.owner_id,
            "content_type": attachment.content_type,
            "size": attachment.size,
            "sha256": attachment.sha256,
        },
    )


def attachment_open(
    *, actor: Any, attachment: Attachment, request: HttpRequest | None = None
) -> IO[bytes]:
    """Open the stored bytes for a download that the caller has scoped; the read is audited.

    Raises ``FileNotFoundError`` when the bytes are missing.
    """
    handle = attachment_storage().open(attachment.stored_name, "rb")
    _audit(actor, attachment, "attachments.attachment.downloaded", request)
    return handle


def attachment_delete(*, actor: Any, attachment: Attachment) -> None:
    """Remove the row now and the bytes after commit, so that a rolled-back removal keeps both."""
    stored_name = attachment.stored_name
    with transaction.atomic():
        _audit(actor, attachment, "attachments.attachment.deleted")
        attachment.delete()
        transaction.on_commit(lambda: attachment_storage().delete(stored_name))


def attachment_orphans_sweep(*, older_than: timedelta, dry_run: bool = False) -> list[str]:
    """Remove stored files that no row names, once older than ``older_than``.

    They are left behind when an outer transaction rolls back after the bytes
    were written; the grace period spares uploads whose transaction is still open.
    """
    root = Path(settings.MEDIA_ROOT)
    cutoff = (timezone.now() - older_than).timestamp()
    candidates = [
        path.relative_to(root).as_posix()
        for path in root.glob("*/*/*")
        if path.is_file() and path.stat().st_mtime < cutoff
    ]
    orphans = _unreferenced(n for n in candidates if STORED_NAME.match(n))
    if not dry_run:
        storage = attachment_storage()
        for name in orphans:
            storage.delete(name)
    return sorted(orphans)


def _unreferenced(names: Iterable[str], batch: int = 500) -> list[str]:
    pending, unreferenced = list(names), list[str]()
    for start in range(0, len(pending), batch):
        chunk = pending[start : start + batch]
        known = set(
            Attachment.objects.filter(stored_name__in=chunk).values_list("stored_name", flat=True)
        )
        unreferenced.extend(n for n in chunk if n not in known)
    return unreferenced
