"""Registering a hazard is all or nothing, photos included."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from safecampus.attachments.errors import AttachmentError
from safecampus.attachments.models import Attachment
from safecampus.inspections.choices import HazardCategory, HazardLevel
from safecampus.inspections.models import Hazard
from safecampus.inspections.services.hazards import hazard_register


@pytest.mark.django_db
def test_a_refused_photo_leaves_no_hazard_and_no_file(district, officer_a, settings):
    good = SimpleUploadedFile("a.txt", b"loose railing\n", "text/plain")
    bad = SimpleUploadedFile("b.exe", b"MZ\x90\x00\x03\x00\x00\x00binary", "application/x-dos")
    with pytest.raises(AttachmentError):
        hazard_register(
            actor=officer_a,
            school=district.school_a,
            category=HazardCategory.BUILDING,
            level=HazardLevel.GENERAL,
            description="栏杆松动",
            photos=[good, bad],
        )
    assert Hazard.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()] == []
