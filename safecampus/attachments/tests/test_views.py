import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from conftest import login
from safecampus.accounts.models import ApiToken
from safecampus.attachments.models import Attachment
from safecampus.attachments.owners import register_owner, unregister_owner
from safecampus.attachments.services import attachment_create
from safecampus.attachments.storage import attachment_storage
from safecampus.attachments.tests import files
from safecampus.attachments.tests.files import upload
from safecampus.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(officer_a, school_a):
    return attachment_create(
        actor=officer_a, owner=school_a, uploaded_file=upload("检查报告.png", files.PDF)
    )


def download(client, attachment):
    return client.get(f"/attachments/{attachment.pk}/download")


def body(response) -> bytes:
    # Reading to the end closes the file; the test client fires request_finished without
    # closing the test's database connection (an explicit close() would close it).
    return b"".join(response.streaming_content)


def test_the_url_is_attachments_uuid_download(report):
    assert reverse("attachments:download", args=[report.pk]) == f"/attachments/{report.pk}/download"


@pytest.mark.parametrize("person", ["officer_a", "teacher_a", "safety_officer"])
def test_people_who_see_the_school_download_it_as_an_attachment(client, request, report, person):
    user = request.getfixturevalue(person)
    response = download(login(client, user), report)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E6%A3%80%E6%9F%A5%E6%8A%A5%E5%91%8A.pdf"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Length"] == str(len(files.PDF))
    assert body(response) == files.PDF
    event = AuditEvent.objects.get(action="attachments.attachment.downloaded")
    assert (event.actor_id, event.object_id) == (user.pk, str(report.pk))


@pytest.mark.parametrize("person", ["officer_b", "police_liaison", "auditor", "outsider"])
def test_people_outside_the_school_get_404_and_nothing_is_recorded(client, request, report, person):
    response = download(login(client, request.getfixturevalue(person)), report)
    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="attachments.attachment.downloaded").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, report):
    response = download(client, report)
    assert response.status_code == 302
    assert response["Location"] == (
        f"{reverse('accounts:login')}?next=/attachments/{report.pk}/download"
    )


def test_an_unknown_attachment_is_404(client, officer_a, report):
    assert download(login(client, officer_a), Attachment(pk=uuid.uuid4())).status_code == 404


def test_an_owner_model_without_visible_to_hides_its_files_from_everyone(
    client, safety_officer, officer_a
):
    token = ApiToken.objects.create(user=officer_a, name="t", digest="d" * 64, prefix="sc_x")
    name = attachment_storage().save("ab/cd/abcd" + "0" * 28 + ".pdf", upload("x", files.PDF))
    orphan = Attachment.objects.create(
        owner_type=ContentType.objects.get_for_model(ApiToken),
        owner_id=str(token.pk),
        original_name="x.pdf",
        stored_name=name,
        content_type="application/pdf",
        size=len(files.PDF),
        sha256="0" * 64,
    )
    assert download(login(client, safety_officer), orphan).status_code == 404
    assert download(login(client, officer_a), orphan).status_code == 404


def test_a_registered_rule_decides_for_models_without_visible_to(client, officer_a, officer_b):
    token = ApiToken.objects.create(user=officer_a, name="t", digest="d" * 64, prefix="sc_x")
    register_owner(ApiToken, visible=lambda user: ApiToken.objects.filter(user=user))
    try:
        attachment = attachment_create(
            actor=officer_a, owner=token, uploaded_file=upload("key.txt", b"notes\n")
        )
        assert download(login(client, officer_b), attachment).status_code == 404
        response = download(login(client, officer_a), attachment)
        assert (response.status_code, body(response)) == (200, b"notes\n")
        assert response["Content-Type"] == "text/plain"
        assert response["Content-Disposition"] == "attachment; filename*=UTF-8''key.txt"
    finally:
        unregister_owner(ApiToken)


def test_a_malformed_id_names_nothing(officer_a):
    from safecampus.attachments.selectors import attachment_get

    assert attachment_get(user=officer_a, pk="not-a-uuid") is None


def test_a_missing_file_is_404(client, settings, officer_a, report):
    attachment_storage().delete(report.stored_name)
    assert download(login(client, officer_a), report).status_code == 404
