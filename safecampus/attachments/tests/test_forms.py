import pytest
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from safecampus.attachments.forms import ACCEPT, AttachmentForm, validate_attachment
from safecampus.attachments.selectors import attachment_list
from safecampus.attachments.services import attachment_create
from safecampus.attachments.tests import files
from safecampus.attachments.tests.files import upload


def bound(*uploads):
    return AttachmentForm(data={}, files=MultiValueDict({"file": list(uploads)}))


def test_the_form_accepts_several_good_files():
    form = bound(upload("a.pdf", files.PDF), upload("b.png", files.png()))
    assert form.is_valid(), form.errors
    assert [f.name for f in form.cleaned_data["file"]] == ["a.pdf", "b.png"]


def test_the_form_refuses_a_file_of_the_wrong_content_by_name_of_the_field(settings):
    settings.ATTACHMENT_MAX_BYTES = 2048
    with translation.override("en"):
        form = bound(upload("a.jpg", files.HTML), upload("big.txt", b"a" * 4096))
        assert not form.is_valid()
        assert [e.code for e in form.errors.as_data()["file"]] == ["type_not_allowed"]
        form = bound(upload("big.txt", b"a" * 4096))
        assert form.errors["file"] == ["The file is larger than the limit of 2.0\xa0KB."]


def test_the_form_requires_a_file_and_caps_the_count():
    assert bound().errors.as_data()["file"][0].code == "required"
    form = bound(*[upload(f"{i}.txt", b"x\n") for i in range(11)])
    assert form.errors.as_data()["file"][0].code == "too_many_files"


def test_the_validator_leaves_the_file_readable_from_its_start():
    uploaded = upload("a.pdf", files.PDF)
    validate_attachment(uploaded)
    assert uploaded.read() == files.PDF


def test_the_widget_offers_the_accepted_types_only():
    assert ".pdf" in ACCEPT.split(",") and "image/webp" in ACCEPT.split(",")
    assert ".gif" not in ACCEPT and "html" not in ACCEPT


@pytest.mark.django_db
def test_the_partial_lists_files_and_offers_the_upload_form(settings, officer_a, district):
    school = district.school_a.school
    attachment_create(actor=officer_a, owner=school, uploaded_file=upload("巡查.pdf", files.PDF))
    with translation.override("en"):
        html = render_to_string(
            "attachments/partials/_list.html",
            {
                "attachments": attachment_list(user=officer_a, owner=school),
                "upload_url": "/cases/1/attachments",
                "form": AttachmentForm(),
            },
        )
    attachment = attachment_list(user=officer_a, owner=school).get()
    assert f'href="/attachments/{attachment.pk}/download"' in html
    assert "巡查.pdf" in html and "PDF document" in html and "77\xa0bytes" in html
    assert 'hx-post="/cases/1/attachments"' in html and 'hx-encoding="multipart/form-data"' in html
    assert "Up to 20.0\xa0MB each" in html


@pytest.mark.django_db
def test_the_list_is_empty_for_someone_who_cannot_see_the_owner(officer_a, officer_b, district):
    school = district.school_a.school
    attachment_create(actor=officer_a, owner=school, uploaded_file=upload("a.pdf", files.PDF))
    assert attachment_list(user=officer_b, owner=school).count() == 0
    assert attachment_list(user=officer_a, owner=school).count() == 1
