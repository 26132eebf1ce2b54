import hashlib
import hmac

import pytest
from django.core import mail
from django.db import transaction
from huey.contrib.djhuey import HUEY

from safecampus.notifications.checks import check_site_url
from safecampus.notifications.choices import Channel, OutboxStatus
from safecampus.notifications.models import Notification, OutboxMessage
from safecampus.notifications.services import notify, outbox_deliver, outbox_suppressed
from safecampus.notifications.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db
VERB = "cases.deadline.escalated"


@pytest.fixture
def endpoints(district, webhook_server):
    """One endpoint that matches school A's case events, and four that must not be called."""
    matching = WebhookEndpointFactory(
        unit=district.school_a, url=webhook_server.url, verbs=["cases.*"]
    )
    WebhookEndpointFactory(unit=district.school_b, url=webhook_server.url)
    WebhookEndpointFactory(unit=None, url=webhook_server.url, verbs=["clues.clue.created"])
    WebhookEndpointFactory(unit=district.school_a, url=webhook_server.url, is_active=False)
    return matching


def test_tasks_run_inline_in_tests():
    assert HUEY.immediate is True


def test_notify_writes_inbox_and_outbox_and_sends_only_after_commit(
    district, officer_a, teacher_a, endpoints, webhook_server, django_capture_on_commit_callbacks
):
    officer_a.email = "li@xb001.example.cn"
    officer_a.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = notify(
            recipients=[officer_a, teacher_a, officer_a],
            verb=VERB,
            title="整改单逾期，已上报教育局",
            body="请于今日内反馈。",
            url="/cases/7/",
            unit_id=district.school_a.pk,
        )
        assert [n.recipient for n in created] == [officer_a, teacher_a]
        assert all(n.pk for n in created)
        assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 2
        assert mail.outbox == [] and webhook_server.requests == []

    assert len(callbacks) == 2
    assert {n.recipient_id for n in Notification.objects.filter(verb=VERB)} == {
        officer_a.pk,
        teacher_a.pk,
    }
    email = OutboxMessage.objects.get(channel=Channel.EMAIL)
    webhook = OutboxMessage.objects.get(channel=Channel.WEBHOOK)
    assert webhook.endpoint == endpoints
    assert email.status == webhook.status == OutboxStatus.SENT
    assert email.attempts == webhook.attempts == 1

    [sent] = mail.outbox
    assert sent.to == ["li@xb001.example.cn"]
    assert sent.subject == "整改单逾期，已上报教育局"
    assert "请于今日内反馈。" in sent.body
    assert "https://safecampus.example.cn/cases/7/" in sent.body

    [call] = webhook_server.requests
    expected = hmac.new(b"whsec-test-0123456789", call.body, hashlib.sha256).hexdigest()
    assert call.headers["x-safecampus-signature"] == f"sha256={expected}"
    assert call.json["verb"] == VERB
    assert call.json["url"] == "https://safecampus.example.cn/cases/7/"
    assert call.json["unit_id"] == district.school_a.pk


def test_a_rolled_back_transaction_leaves_nothing_and_sends_nothing(
    officer_a, endpoints, webhook_server, django_capture_on_commit_callbacks
):
    officer_a.email = "li@xb001.example.cn"
    officer_a.save()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipients=[officer_a], verb=VERB, title="t", unit_id=officer_a.pk)
        raise RuntimeError("the caller's write failed")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == [] and webhook_server.requests == []


def test_inactive_people_and_people_without_address_get_no_email(
    officer_a, teacher_a, django_capture_on_commit_callbacks
):
    teacher_a.is_active = False
    teacher_a.email = "zhao@xb001.example.cn"
    teacher_a.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        created = notify(recipients=[officer_a, teacher_a], verb=VERB, title="t")
    assert [n.recipient for n in created] == [officer_a]
    assert OutboxMessage.objects.count() == 0
    # No outbox rows: only the live announcement is scheduled.
    assert len(callbacks) == 1


def test_the_object_names_itself_and_its_unit(district, officer_a):
    created = notify(recipients=[officer_a], verb=VERB, title="t", obj=district.school_a.school)
    [notification] = created
    assert notification.object_type == "organizations.school"
    assert notification.object_id == str(district.school_a.pk)
    assert notification.unit_id == district.school_a.pk


def test_inside_outbox_suppressed_nothing_leaves_and_the_rows_say_why(
    district, officer_a, endpoints, webhook_server, django_capture_on_commit_callbacks
):
    officer_a.email = "li@xb001.example.cn"
    officer_a.save()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        outbox_suppressed("Demo data: never sent."),
    ):
        created = notify(
            recipients=[officer_a],
            verb=VERB,
            title="演示",
            url="/cases/7/",
            unit_id=district.school_a.pk,
        )
    assert [n.recipient for n in created] == [officer_a]  # the inbox is the demo's to show
    assert len(callbacks) == 1  # the live announcement only; no delivery is queued
    rows = OutboxMessage.objects.order_by("channel")
    assert [(m.channel, m.status, m.last_error, m.attempts) for m in rows] == [
        (Channel.EMAIL, OutboxStatus.SUPPRESSED, "Demo data: never sent.", 0),
        (Channel.WEBHOOK, OutboxStatus.SUPPRESSED, "Demo data: never sent.", 0),
    ]
    assert outbox_deliver().sent == 0
    assert mail.outbox == [] and webhook_server.requests == []
    # outside the block, notify sends as always
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[officer_a], verb=VERB, title="真实", unit_id=district.school_a.pk)
    assert [m.subject for m in mail.outbox] == ["真实"]


@pytest.mark.parametrize(
    "site_url,warned",
    [
        ("https://safecampus.example.edu.cn", False),
        ("http://10.2.3.4:8080", False),
        ("", True),
        ("safecampus.example.edu.cn", True),
        ("https://safecampus.example.edu.cn/app", True),
    ],
)
def test_the_deploy_check_wants_an_absolute_site_url(settings, site_url, warned):
    settings.SITE_URL = site_url
    assert [m.id for m in check_site_url()] == (["notifications.W001"] if warned else [])
