"""The anonymous public portal: submit, receipt shown once, return with it, messages both
ways, evidence later, throttles, bad input, and no address or user agent anywhere."""

from __future__ import annotations

import io
import logging
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from conftest import login
from safecampus.attachments.models import Attachment
from safecampus.audit.models import AuditEvent
from safecampus.cases.errors import CasePermissionDenied
from safecampus.cases.models import CaseEvent
from safecampus.leads.models import DualReport, Lead, LeadCategory, LeadMessage
from safecampus.leads.receipts import receipt_digest
from safecampus.leads.services import lead_accept, lead_transfer, portal
from safecampus.leads.tests.test_challenge import use_rules

pytestmark = pytest.mark.django_db

ADDRESS = "203.0.113.9"
AGENT = "UA-TEST"
CLIENT = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": AGENT}
RECEIPT_RE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){3}")
REPORT = {
    "category": "bullying_violence",
    "description": "我们班有同学在厕所被高年级学生打了",
    "place": "实验小学东楼厕所",
}


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _counts():
    return (
        Lead.objects.count(),
        DualReport.objects.count(),
        CaseEvent.objects.count(),
        Attachment.objects.count(),
        AuditEvent.objects.count(),
    )


def _submit_page(client, district, **extra):
    data = REPORT | {"school": district.school_a.code} | extra
    return client.post("/report/", data, **CLIENT)


def _receipt_from(response) -> str:
    match = RECEIPT_RE.search(response.content.decode())
    assert match, response.content.decode()[:500]
    return match.group(0)


def _status(client, receipt: str, **extra):
    return client.post("/report/status/", {"receipt": receipt} | extra, **CLIENT)


def test_page_submission_shows_the_receipt_once_and_stores_only_its_digest(client, district):
    response = _submit_page(client, district, contact="13900002222", evidence=[_png()])
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    receipt = _receipt_from(response)
    assert "data-copy" in response.content.decode()
    assert "data-download-text" in response.content.decode()
    assert set(response.cookies) <= {"csrftoken"}

    lead = Lead.objects.get()
    assert lead.source == "portal" and lead.status == "received"
    assert lead.receipt_digest == receipt_digest(receipt)
    assert lead.is_anonymous is False and lead.reporter_contact == "13900002222"
    assert lead.unit == district.safety_section
    assert DualReport.objects.filter(lead=lead, channel="safety_section").exists()
    assert Attachment.objects.filter(owner_id=str(lead.pk)).count() == 1
    # The raw row: neither the receipt (any form) nor the contact in clear.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM leads_lead WHERE id = %s", [lead.pk])
        row = " ".join(str(value) for value in cursor.fetchone())
    assert receipt not in row and receipt.replace("-", "") not in row
    assert "13900002222" not in row
    audit = AuditEvent.objects.filter(action="leads.lead.reported").get()
    assert audit.actor_id is None and not audit.remote_addr

    again = client.get("/report/", **CLIENT)
    assert again.status_code == 200 and receipt not in again.content.decode()


def test_api_submission_answers_201_with_a_receipt(client, district):
    response = client.post(
        "/api/v1/public/leads/",
        REPORT | {"school": district.school_b.code},
        content_type="application/json",
        **CLIENT,
    )
    assert response.status_code == 201, response.content
    assert RECEIPT_RE.fullmatch(response.json()["receipt"])
    lead = Lead.objects.get()
    assert lead.is_anonymous and lead.school == district.school_b

    multipart = client.post("/api/v1/public/leads/", {**REPORT, "files": [_png()]}, **CLIENT)
    assert multipart.status_code == 201, multipart.content
    lead = Lead.objects.get(receipt_digest=receipt_digest(multipart.json()["receipt"]))
    assert Attachment.objects.filter(owner_id=str(lead.pk)).count() == 1


def test_the_journey_milestones_and_messages_both_ways(client, district, safety_officer):
    caplog_records: list[logging.LogRecord] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            caplog_records.append(record)

    handler = Capture(level=logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("django")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        receipt = _receipt_from(_submit_page(client, district, evidence=[_png()]))
        lead = Lead.objects.get()
        lead_accept(actor=safety_officer, lead=lead, note="内部备注：核实中")
        lead_transfer(
            actor=safety_officer, lead=lead, to_units=[district.police_station], note="移交说明"
        )

        page = _status(client, receipt)
        assert page.status_code == 200
        html = page.content.decode()
        codes = re.findall(r'data-milestone="(\w+)"', html)
        assert codes == ["received", "accepted", "transferred"]
        assert re.search(r"\d{4}-\d{2}-\d{2}", html)
        for secret in ("内部备注", "移交说明", district.police_station.name, "三井", "安监科"):
            assert secret not in html

        api = client.post(
            "/api/v1/public/leads/status/",
            {"receipt": receipt.lower().replace("-", " ")},
            content_type="application/json",
            **CLIENT,
        )
        assert api.status_code == 200
        assert [m["code"] for m in api.json()["milestones"]] == codes
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", m["date"]) for m in api.json()["milestones"])

        staff = login(client, safety_officer)
        sent = staff.post(f"/leads/{lead.pk}/messages/", {"body": "请问事发是几点？"})
        assert sent.status_code == 302
        client.logout()
        seen = _status(client, receipt).content.decode()
        assert "请问事发是几点？" in seen and safety_officer.get_username() not in seen

        answered = _status(client, receipt, action="message", message="下午四点左右")
        assert answered.status_code == 200 and "下午四点左右" in answered.content.decode()
        api_answer = client.post(
            "/api/v1/public/leads/messages/",
            {"receipt": receipt, "message": "还有一张照片"},
            content_type="application/json",
            **CLIENT,
        )
        assert api_answer.status_code == 201
        assert [m["direction"] for m in api_answer.json()["messages"]] == [
            "to_reporter",
            "from_reporter",
            "from_reporter",
        ]

        evidence = _status(client, receipt, action="evidence", evidence=[_png("later.png")])
        assert evidence.status_code == 200
        assert Attachment.objects.filter(owner_id=str(lead.pk), original_name="later.png").exists()

        login(client, safety_officer)
        detail = client.get(f"/leads/{lead.pk}/").content.decode()
        assert "下午四点左右" in detail and "请问事发是几点？" in detail
        client.logout()
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)

    messaged = AuditEvent.objects.get(action="leads.lead.reporter_messaged")
    assert "请问" not in str(messaged.changes)
    assert LeadMessage.objects.count() == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM leads_leadmessage")
        assert all("下午" not in body for (body,) in cursor.fetchall())

    for event in AuditEvent.objects.all():
        text = " ".join(str(getattr(event, f.attname)) for f in AuditEvent._meta.concrete_fields)
        assert ADDRESS not in text and AGENT not in text
    for model in (Lead, LeadMessage, Attachment, CaseEvent):
        for row in model.objects.all():
            text = " ".join(str(getattr(row, f.attname)) for f in model._meta.concrete_fields)
            assert ADDRESS not in text and AGENT not in text
    for record in caplog_records:
        text = record.getMessage() + " " + " ".join(str(v) for v in record.__dict__.values())
        assert ADDRESS not in text and AGENT not in text


def test_wrong_and_malformed_receipts(client, district):
    wrong = "ABCD-EFGH-JKMN-PQRS"
    page = _status(client, wrong)
    assert page.status_code == 404 and "receipt" in page.content.decode().lower()
    api = client.post(
        "/api/v1/public/leads/status/", {"receipt": wrong}, content_type="application/json"
    )
    assert api.status_code == 404 and api.json()["detail"]
    bad = client.post(
        "/api/v1/public/leads/status/", {"receipt": "abc"}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad.json()["code"] == "bad_receipt"
    assert _status(client, "not-a-receipt!").status_code == 400
    with pytest.raises(portal.ReceiptMalformed):
        portal.lead_public_status(receipt="???")
    assert portal.lead_public_status(receipt=wrong) is None
    message = client.post(
        "/api/v1/public/leads/messages/",
        {"receipt": wrong, "message": "hi"},
        content_type="application/json",
    )
    assert message.status_code == 404 and LeadMessage.objects.count() == 0


def test_wrong_receipts_are_throttled(client, monkeypatch):
    monkeypatch.setattr(portal.RECEIPT_THROTTLE, "limit", 3)
    for _ in range(3):
        assert _status(client, "ABCD-EFGH-JKMN-PQRS").status_code == 404
    refused = _status(client, "ABCD-EFGH-JKMN-PQRS")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    api = client.post(
        "/api/v1/public/leads/status/",
        {"receipt": "ABCD-EFGH-JKMN-PQRS"},
        content_type="application/json",
        **CLIENT,
    )
    assert api.status_code == 429 and int(api["Retry-After"]) > 0
    assert "minute" in api.json()["detail"] or "分钟" in api.json()["detail"]


def test_submissions_are_throttled_per_client_and_globally(client, district, monkeypatch, settings):
    use_rules(settings, portal_challenge_percent=100)  # the throttles alone; see test_challenge
    monkeypatch.setattr(portal.SUBMIT_THROTTLE, "limit", 2)
    assert _submit_page(client, district).status_code == 200
    assert _submit_page(client, district).status_code == 200
    refused = _submit_page(client, district)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert Lead.objects.count() == 2
    # Another address still may, until the global limit.
    monkeypatch.setattr(portal.GLOBAL_SUBMIT_THROTTLE, "limit", 3)
    other = client.post(
        "/api/v1/public/leads/", REPORT, content_type="application/json", REMOTE_ADDR="192.0.2.1"
    )
    assert other.status_code == 201
    flood = client.post(
        "/api/v1/public/leads/", REPORT, content_type="application/json", REMOTE_ADDR="192.0.2.2"
    )
    assert flood.status_code == 429 and flood["Retry-After"]
    assert Lead.objects.count() == 3


def test_bad_input_is_refused_and_nothing_is_stored(client, district):
    before = _counts()
    unknown = client.post(
        "/api/v1/public/leads/",
        REPORT | {"category": "nope"},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["detail"]
    empty = client.post(
        "/api/v1/public/leads/",
        REPORT | {"description": "   "},
        content_type="application/json",
    )
    assert empty.status_code == 400
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>x</script></html>", "image/jpeg")
    disguised = client.post("/api/v1/public/leads/", {**REPORT, "files": [fake]})
    assert disguised.status_code in (400, 415), disguised.content
    fake_page = SimpleUploadedFile("photo.jpg", b"<html><script>x</script></html>", "image/jpeg")
    page = _submit_page(client, district, evidence=[fake_page])
    assert page.status_code in (400, 415)
    assert "receipt" not in page.content.decode().lower() or not RECEIPT_RE.search(
        page.content.decode()
    )
    assert _submit_page(client, district, category="nope").status_code == 400
    assert _submit_page(client, district, description="").status_code == 400
    assert _counts() == before


def test_english_switch_and_chinese_default(client):
    chinese = client.get("/report/")
    assert chinese.status_code == 200 and chinese["Content-Language"] == "zh-hans"
    english = client.get("/report/?lang=en")
    assert english.status_code == 200 and english["Content-Language"] == "en"
    assert "Report a problem around a school" in english.content.decode()
    assert 'action="/report/?lang=en"' in english.content.decode()
    assert client.get("/report/status/?lang=en")["Content-Language"] == "en"


def test_only_the_bureau_may_message_the_reporter(client, district, officer_a, safety_officer):
    receipt = _receipt_from(_submit_page(client, district))
    lead = Lead.objects.get()
    with pytest.raises(CasePermissionDenied):
        portal.lead_message_reporter(actor=officer_a, lead=lead, body="hi")
    login(client, officer_a)
    assert client.post(f"/leads/{lead.pk}/messages/", {"body": "hi"}).status_code in (403, 404)
    assert LeadMessage.objects.count() == 0
    message = portal.lead_message_reporter(actor=safety_officer, lead=lead, body="你好")
    assert message.direction == "to_reporter"
    status = portal.lead_public_status(receipt=receipt)
    assert status is not None and [m.body for m in status.messages] == ["你好"]
    event = CaseEvent.objects.filter(kind="comment").get()
    assert "你好" not in event.note


def test_category_codes_are_listed_in_the_form(client):
    html = client.get("/report/").content.decode()
    for code in LeadCategory.objects.filter(parent=None).values_list("code", flat=True):
        assert f'value="{code}"' in html


def test_more_details_and_a_point_on_the_map(client, district):
    page = client.get("/report/", **CLIENT).content.decode()
    assert 'data-pick-lat="id_latitude"' in page and "portal-map-data" in page
    response = _submit_page(
        client,
        district,
        persons_involved="两名穿黑衣服的社会青年，骑电动车",
        victims="四年级学生",
        urgency="urgent",
        latitude="31.825400",
        longitude="119.963600",
    )
    assert response.status_code == 200
    lead = Lead.objects.get()
    assert (lead.persons_involved, lead.victims, lead.urgency) == (
        "两名穿黑衣服的社会青年，骑电动车",
        "四年级学生",
        "urgent",
    )
    assert (str(lead.latitude), str(lead.longitude)) == ("31.825400", "119.963600")
    api = client.post(
        "/api/v1/public/leads/",
        REPORT | {"urgency": "critical", "latitude": "31.8", "longitude": "119.9"},
        content_type="application/json",
        **CLIENT,
    )
    assert api.status_code == 201
    before = _counts()
    half = _submit_page(client, district, latitude="31.8")
    assert half.status_code == 400
    off_map = client.post(
        "/api/v1/public/leads/",
        REPORT | {"latitude": "95", "longitude": "119.9"},
        content_type="application/json",
        **CLIENT,
    )
    bad_urgency = client.post(
        "/api/v1/public/leads/", REPORT | {"urgency": "panic"}, content_type="application/json"
    )
    assert (off_map.status_code, bad_urgency.status_code) == (400, 400)
    assert _counts() == before


def test_the_form_opens_when_no_category_is_in_use(client, district):
    """A district that has switched every category off still gets the page (on PostgreSQL
    the parent-first ordering once compiled to "ORDER BY 0" and answered 500)."""
    LeadCategory.objects.update(is_active=False)
    page = client.get("/report/", **CLIENT)
    assert page.status_code == 200
    assert list(page.context["form"].fields["category"].queryset) == []


@pytest.mark.parametrize("path", ["/report/", "/report/status/"])
def test_the_portal_footer_keeps_the_portal_promise_and_names_a_number(
    client, district, settings, path
):
    """The staff footer says every access is recorded, while the portal says it records no
    address: the portal has its own footer, with 110 and the configured hotline (#14)."""
    settings.PORTAL_HOTLINE = "0519-85681234"
    body = client.get(f"{path}?lang=en").content.decode()
    assert "Every access is recorded" not in body
    assert "call 110" in body and "0519-85681234" in body
    settings.PORTAL_HOTLINE = ""
    body = client.get(path).content.decode()
    assert "110" in body and "所有访问均记录在案" not in body
    # Staff pages keep theirs.
    assert "所有访问均记录在案" in client.get("/accounts/login/").content.decode()
