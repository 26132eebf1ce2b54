import hashlib
import io
import os
import re
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import transaction
from django.utils import translation
from PIL import Image

from safecampus.accounts.models import ApiToken
from safecampus.attachments import services
from safecampus.attachments.errors import AttachmentError
from safecampus.attachments.models import Attachment
from safecampus.attachments.services import (
    attachment_create,
    attachment_delete,
    attachment_orphans_sweep,
    clean_filename,
)
from safecampus.attachments.tests import files
from safecampus.attachments.tests.files import GPS_IFD, upload
from safecampus.audit.models import AuditEvent
from safecampus.core.errors import DomainError

pytestmark = pytest.mark.django_db


def stored_path(settings, attachment) -> Path:
    return Path(settings.MEDIA_ROOT) / attachment.stored_name


def test_an_oversized_file_is_refused_and_nothing_is_stored(
    settings, officer_a, school_a, stored_files
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(AttachmentError) as refused, translation.override("en"):
        attachment_create(
            actor=officer_a, owner=school_a, uploaded_file=upload("a.txt", b"a" * 1025)
        )
    assert isinstance(refused.value, DomainError)
    assert (refused.value.code, refused.value.status_code) == ("too_large", 413)
    assert str(refused.value.message) == "The file is larger than the limit of 1.0\xa0KB."
    assert Attachment.objects.count() == 0
    assert stored_files() == []
    assert AuditEvent.objects.filter(action__startswith="attachments.").count() == 0


def test_a_stream_that_does_not_declare_its_size_is_counted(
    settings, officer_a, school_a, stored_files
):
    settings.ATTACHMENT_MAX_BYTES = 1024
    stream = io.BytesIO(b"a" * 2048)
    with pytest.raises(AttachmentError) as refused:
        attachment_create(actor=officer_a, owner=school_a, uploaded_file=stream)
    assert refused.value.code == "too_large"
    assert (Attachment.objects.count(), stored_files()) == (0, [])


def test_a_file_at_the_limit_is_accepted(settings, officer_a, school_a):
    settings.ATTACHMENT_MAX_BYTES = 1024
    attachment = attachment_create(
        actor=officer_a, owner=school_a, uploaded_file=upload("a.txt", b"a" * 1024)
    )
    assert attachment.size == 1024


def test_an_empty_file_is_refused(officer_a, school_a, stored_files):
    with pytest.raises(AttachmentError) as refused:
        attachment_create(actor=officer_a, owner=school_a, uploaded_file=upload("a.txt", b""))
    assert (refused.value.code, refused.value.status_code) == ("empty", 400)
    assert (Attachment.objects.count(), stored_files()) == (0, [])


def test_html_named_jpg_is_refused_by_content(officer_a, school_a, stored_files):
    with pytest.raises(AttachmentError) as refused:
        attachment_create(
            actor=officer_a,
            owner=school_a,
            uploaded_file=upload("photo.jpg", files.HTML, claimed="image/jpeg"),
        )
    assert (refused.value.code, refused.value.status_code) == ("type_not_allowed", 400)
    assert (Attachment.objects.count(), stored_files()) == (0, [])


def test_a_pdf_named_png_is_stored_as_a_pdf(settings, officer_a, school_a):
    attachment = attachment_create(
        actor=officer_a, owner=school_a, uploaded_file=upload("scan.png", files.PDF, "image/png")
    )
    assert attachment.content_type == "application/pdf"
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{2}/[0-9a-f]{32}\.pdf", attachment.stored_name)
    token = attachment.stored_name.rsplit("/", 1)[1]
    assert attachment.stored_name.startswith(f"{token[:2]}/{token[2:4]}/")
    assert attachment.original_name == "scan.png"
    assert attachment.download_name == "scan.pdf"
    assert attachment.metadata_stripped is False
    assert attachment.size == len(files.PDF)
    assert attachment.sha256 == hashlib.sha256(files.PDF).hexdigest()
    assert stored_path(settings, attachment).read_bytes() == files.PDF


def test_jpeg_is_stored_upright_without_exif_gps_or_xmp(settings, officer_a, school_a):
    original = files.jpeg_with_gps(size=(40, 20), orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    attachment = attachment_create(
        actor=officer_a, owner=school_a, uploaded_file=upload("IMG_0001.JPG", original)
    )
    data = stored_path(settings, attachment).read_bytes()
    stored = Image.open(io.BytesIO(data))
    assert stored.format == "JPEG"
    assert stored.size == (20, 40)  # orientation 6 applied: the picture is upright
    assert dict(stored.getexif()) == {}
    assert stored.getexif().get_ifd(GPS_IFD) == {}
    assert {"exif", "xmp", "comment"} & set(stored.info) == set()
    assert b"PhoneModel" not in data and b"Exif\x00\x00" not in data
    assert attachment.metadata_stripped is True
    assert (attachment.content_type, attachment.download_name) == ("image/jpeg", "IMG_0001.jpg")
    assert attachment.size == len(data)
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("data", "fmt"), [(files.png(with_metadata=True), "PNG"), (files.webp_with_gps(), "WEBP")]
)
def test_png_and_webp_lose_their_metadata(settings, officer_a, school_a, data, fmt):
    attachment = attachment_create(
        actor=officer_a, owner=school_a, uploaded_file=upload("x.bin", data)
    )
    stored = Image.open(io.BytesIO(stored_path(settings, attachment).read_bytes()))
    assert stored.format == fmt
    assert dict(stored.getexif()) == {}
    assert {"exif", "xmp", "XML:com.adobe.xmp", "Author"} & set(stored.info) == set()
    assert attachment.metadata_stripped is True


def test_an_image_with_too_many_pixels_is_refused(monkeypatch, officer_a, school_a, stored_files):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    for data in (files.png(size=(11, 10)), files.png(size=(30, 30))):  # just over, and over 2×
        with pytest.raises(AttachmentError) as refused:
            attachment_create(actor=officer_a, owner=school_a, uploaded_file=upload("b.png", data))
        assert (refused.value.code, refused.value.status_code) == ("image_too_large", 413)
    assert (Attachment.objects.count(), stored_files()) == (0, [])


def test_a_damaged_image_is_refused(officer_a, school_a, stored_files):
    data = files.jpeg_with_gps()[:200]
    with pytest.raises(AttachmentError) as refused:
        attachment_create(actor=officer_a, owner=school_a, uploaded_file=upload("c.jpg", data))
    assert refused.value.code == "damaged_image"
    assert (Attachment.objects.count(), stored_files()) == (0, [])


def test_the_file_is_removed_when_the_database_write_fails(
    monkeypatch, officer_a, school_a, stored_files
):
    def broken_audit(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "audit_record", broken_audit)
    with pytest.raises(RuntimeError):
        attachment_create(actor=officer_a, owner=school_a, uploaded_file=upload("a.pdf", files.PDF))
    assert (Attachment.objects.count(), stored_files()) == (0, [])


def test_the_upload_is_audited_without_the_file_name(officer_a, school_a, district):
    attachment = attachment_create(
        actor=officer_a, owner=school_a, uploaded_file=upload("张小明检讨书.pdf", files.PDF)
    )
    event = AuditEvent.objects.get(action="attachments.attachment.created")
    assert (event.actor_id, event.unit_id) == (officer_a.pk, district.school_a.pk)
    assert (event.object_type, event.object_id) == ("attachments.attachment", str(attachment.pk))
    assert event.object_repr == f"application/pdf, {len(files.PDF)} B"
    assert event.changes == {
        "owner": "organizations.school",
        "owner_id": str(school_a.pk),
        "content_type": "application/pdf",
        "size": len(files.PDF),
        "sha256": hashlib.sha256(files.PDF).hexdigest(),
    }
    assert "张小明" not in str(event.changes) + event.object_repr
    assert attachment.unit_id == district.school_a.pk
    assert attachment.uploaded_by == officer_a
    assert attachment.owner == school_a


def test_an_owner_nobody_could_see_is_refused(officer_a, stored_files):
    token = ApiToken.objects.create(user=officer_a, name="t", digest="d" * 64, prefix="sc_x")
    with pytest.raises(ImproperlyConfigured):
        attachment_create(actor=officer_a, owner=token, uploaded_file=upload("a.pdf", files.PDF))
    assert (Attachment.objects.count(), stored_files()) == (0, [])


def test_delete_removes_the_row_now_and_the_file_after_commit(
    settings, officer_a, school_a, stored_files, django_capture_on_commit_callbacks
):
    attachment = attachment_create(
        actor=officer_a, owner=school_a, uploaded_file=upload("a.pdf", files.PDF)
    )
    path, pk = stored_path(settings, attachment), attachment.pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment_delete(actor=officer_a, attachment=attachment)
    assert Attachment.objects.count() == 0
    assert path.exists()  # not yet: the removal might still roll back
    callbacks[0]()
    assert stored_files() == []
    event = AuditEvent.objects.get(action="attachments.attachment.deleted")
    assert (event.actor_id, event.object_id) == (officer_a.pk, str(pk))


def test_a_rolled_back_delete_keeps_row_and_file(settings, officer_a, school_a):
    attachment = attachment_create(
        actor=officer_a, owner=school_a, uploaded_file=upload("a.pdf", files.PDF)
    )
    pk, path = attachment.pk, stored_path(settings, attachment)
    with pytest.raises(RuntimeError), transaction.atomic():
        attachment_delete(actor=officer_a, attachment=attachment)
        raise RuntimeError("the caller fails later")
    assert Attachment.objects.filter(pk=pk).exists()
    assert path.exists()


def test_the_sweep_removes_only_old_unreferenced_files(settings, officer_a, school_a, stored_files):
    kept = attachment_create(
        actor=officer_a, owner=school_a, uploaded_file=upload("a.pdf", files.PDF)
    )
    root = Path(settings.MEDIA_ROOT)
    old_orphan, new_orphan, foreign = (
        "aa/bb/aabb" + "0" * 28 + ".pdf",
        "cc/dd/ccdd" + "0" * 28 + ".pdf",
        "aa/bb/readme.txt",
    )
    an_hour_ago = time.time() - 7200
    for name in (old_orphan, new_orphan, foreign):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(b"x")
    for name in (old_orphan, foreign, kept.stored_name):
        os.utime(root / name, (an_hour_ago, an_hour_ago))

    assert attachment_orphans_sweep(older_than=timedelta(hours=1), dry_run=True) == [old_orphan]
    assert (root / old_orphan).exists()
    out = StringIO()
    call_command("attachments_sweep", "--older-than-hours", "1", stdout=out)
    assert out.getvalue().splitlines()[0] == old_orphan
    assert stored_files() == sorted([foreign, kept.stored_name, new_orphan])


@pytest.mark.parametrize(
    ("given", "cleaned"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\王老师\\检查照片.jpg", "检查照片.jpg"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),
        ('a<b>:"c"|?*.txt', "a_b___c____.txt"),
        ("..", "attachment"),
        ("", "attachment"),
        (" .hidden. ", "hidden"),
        ("名" * 300 + ".pdf", "名" * 196 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(given, cleaned):
    assert clean_filename(given) == cleaned
