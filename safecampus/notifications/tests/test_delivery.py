import hashlib
import hmac
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from safecampus.notifications import transport
from safecampus.notifications.choices import Channel, OutboxStatus
from safecampus.notifications.models import OutboxMessage
from safecampus.notifications.services import DeliveryReport, outbox_deliver
from safecampus.notifications.tests.factories import WebhookEndpointFactory

pytestmark = pytest.mark.django_db
EVENT = {
    "id": "0b6f0c9e-1f7a-4c43-9d4e-1d5b8f0c2a11",
    "verb": "cases.case.created",
    "title": "新线索",
}


def email_row(to="li@xb001.example.cn", **extra):
    payload = {"to": to, "subject": "新线索", "body": "请查看。"}
    return OutboxMessage.objects.create(channel=Channel.EMAIL, payload=payload, **extra)


def webhook_row(url, **extra):
    endpoint = WebhookEndpointFactory(url=url)
    return OutboxMessage.objects.create(
        channel=Channel.WEBHOOK, endpoint=endpoint, payload=EVENT, **extra
    )


def test_email_is_sent_once_and_marked_sent():
    row = email_row()
    assert outbox_deliver() == DeliveryReport(sent=1)
    assert outbox_deliver() == DeliveryReport()
    [sent] = mail.outbox
    assert (sent.to, sent.subject, sent.body) == (["li@xb001.example.cn"], "新线索", "请查看。")
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 1, "")
    assert row.sent_at is not None


def test_webhook_is_signed_with_the_endpoint_secret(webhook_server):
    row = webhook_row(webhook_server.url)
    assert outbox_deliver() == DeliveryReport(sent=1)
    [call] = webhook_server.requests
    assert call.path == "/hooks/safecampus"
    assert call.headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(call.body) == EVENT
    digest = hmac.new(b"whsec-test-0123456789", call.body, hashlib.sha256).hexdigest()
    assert call.headers["x-safecampus-signature"] == f"sha256={digest}"
    assert abs(int(call.headers["x-safecampus-timestamp"]) - timezone.now().timestamp()) < 60
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT


def test_a_failing_webhook_backs_off_then_dies(webhook_server):
    webhook_server.statuses = [500]
    start = timezone.now()
    row = webhook_row(webhook_server.url, next_attempt_at=start)
    now = start
    for attempt, wait in enumerate([1, 5, 30, 120, 720], start=1):
        assert outbox_deliver(now=now) == DeliveryReport(failed=1)
        row.refresh_from_db()
        assert (row.status, row.attempts) == (OutboxStatus.FAILED, attempt)
        assert row.next_attempt_at == now + timedelta(minutes=wait)
        assert row.last_error == "HTTPError: HTTP Error 500: Internal Server Error"
        assert outbox_deliver(now=row.next_attempt_at - timedelta(seconds=1)) == DeliveryReport()
        now = row.next_attempt_at
    assert outbox_deliver(now=now) == DeliveryReport(dead=1)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, 6)
    assert outbox_deliver(now=now + timedelta(days=30)) == DeliveryReport()
    assert len(webhook_server.requests) == 6


def test_a_retry_that_succeeds_is_sent(webhook_server):
    webhook_server.statuses = [503, 200]
    start = timezone.now()
    row = webhook_row(webhook_server.url, next_attempt_at=start)
    assert outbox_deliver(now=start) == DeliveryReport(failed=1)
    assert outbox_deliver(now=start + timedelta(minutes=1)) == DeliveryReport(sent=1)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.SENT, 2, "")


def test_redirects_are_not_followed(webhook_server):
    webhook_server.statuses = [302]
    row = webhook_row(webhook_server.url)
    assert outbox_deliver() == DeliveryReport(failed=1)
    row.refresh_from_db()
    assert row.last_error == "HTTPError: HTTP Error 302: Found"
    assert len(webhook_server.requests) == 1


def test_a_deactivated_endpoint_gets_nothing(webhook_server):
    row = webhook_row(webhook_server.url)
    row.endpoint.is_active = False
    row.endpoint.save()
    assert outbox_deliver() == DeliveryReport(dead=1)
    assert webhook_server.requests == []


def test_a_second_worker_running_meanwhile_never_sends_the_same_row(monkeypatch):
    email_row()
    email_row(to="zhao@xb001.example.cn")
    real_send = transport.send_email
    inner_reports = []
    calls = []

    def send_while_another_worker_runs(payload):
        # The other worker starts while this one holds its claim: it may only take the other row.
        calls.append(payload["to"])
        if len(calls) == 1:
            inner_reports.append(outbox_deliver())
        real_send(payload)

    monkeypatch.setattr(
        "safecampus.notifications.services.send_email", send_while_another_worker_runs
    )
    outer = outbox_deliver()
    assert inner_reports == [DeliveryReport(sent=1)]
    assert outer == DeliveryReport(sent=1)
    assert calls == ["li@xb001.example.cn", "zhao@xb001.example.cn"]
    assert sorted(m.to[0] for m in mail.outbox) == ["li@xb001.example.cn", "zhao@xb001.example.cn"]
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {(OutboxStatus.SENT, 1)}


def test_a_claim_is_won_by_exactly_one_worker():
    from safecampus.notifications.services import outbox_claim

    row = email_row()
    now = timezone.now()
    assert [outbox_claim(pk=row.pk, now=now), outbox_claim(pk=row.pk, now=now)] == [True, False]


def test_a_claim_abandoned_by_a_dead_worker_is_taken_back_after_ten_minutes():
    now = timezone.now()
    stale = email_row(
        status=OutboxStatus.SENDING, attempts=1, claimed_at=now - timedelta(minutes=10, seconds=1)
    )
    busy = email_row(status=OutboxStatus.SENDING, attempts=1, claimed_at=now - timedelta(minutes=9))
    assert outbox_deliver(now=now) == DeliveryReport(sent=1, reclaimed=1)
    stale.refresh_from_db()
    busy.refresh_from_db()
    assert (stale.status, stale.attempts) == (OutboxStatus.SENT, 2)
    assert (busy.status, busy.attempts) == (OutboxStatus.SENDING, 1)
    assert len(mail.outbox) == 1


def test_limit_caps_one_run():
    for _ in range(3):
        email_row()
    assert outbox_deliver(limit=2) == DeliveryReport(sent=2)
    assert outbox_deliver(limit=2) == DeliveryReport(sent=1)
