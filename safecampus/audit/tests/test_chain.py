"""The audit trail is append-only and any tampering breaks its hash chain."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.utils import timezone, translation

from conftest import login
from safecampus.audit.models import AuditEvent
from safecampus.audit.services import audit_purge, audit_record, audit_verify, mask_changes
from safecampus.audit.tests.tamper import raw


def _three(actor):
    return [
        audit_record(actor=actor, action="tests.thing.created", changes={"n": i}) for i in range(3)
    ]


def _kinds(report):
    return [(finding.kind, finding.row_id) for finding in report.findings]


@pytest.mark.django_db
def test_chain_holds_and_the_application_cannot_update_or_delete(safety_officer, production_guard):
    _three(safety_officer)
    report = audit_verify()
    assert report.ok and report.checked == 3
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(action="tests.thing.created").update(action="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 3


@pytest.mark.django_db
def test_a_changed_row_is_detected(safety_officer):
    events = _three(safety_officer)
    raw("UPDATE audit_auditevent SET object_repr = %s WHERE id = %s", ["forged", events[1].pk])
    report = audit_verify()
    assert _kinds(report) == [("hash", events[1].pk)]
    out, err = StringIO(), StringIO()
    with translation.override("en"), pytest.raises(SystemExit) as exit_info:
        call_command("audit_verify", stdout=out, stderr=err)
    assert exit_info.value.code == 1
    assert f"row {events[1].pk}" in err.getvalue()


@pytest.mark.django_db
def test_a_removed_row_is_detected(safety_officer):
    events = _three(safety_officer)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    assert _kinds(audit_verify()) == [("link", events[2].pk), ("count", None)]


@pytest.mark.django_db
def test_a_removed_last_row_is_detected(safety_officer):
    events = _three(safety_officer)
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[2].pk])
    assert _kinds(audit_verify()) == [("end", events[2].pk), ("count", None)]


@pytest.mark.django_db
def test_an_inserted_row_is_detected(safety_officer):
    events = _three(safety_officer)
    first = events[0]
    raw(
        "INSERT INTO audit_auditevent (at, actor_label, action, object_type, object_id,"
        " object_repr, changes, result, remote_addr, prev_hash, row_hash)"
        " VALUES (%s, 'x', 'forged', '', '', '', '{}', 'success', '', %s, %s)",
        [first.at, first.row_hash, "f" * 64],
    )
    forged = AuditEvent.objects.get(action="forged").pk
    assert _kinds(audit_verify()) == [
        ("link", forged),
        ("hash", forged),
        ("end", events[2].pk),
        ("count", None),
    ]


@pytest.mark.django_db
def test_verify_command_exits_zero_when_intact(safety_officer):
    _three(safety_officer)
    out = StringIO()
    with translation.override("en"):
        call_command("audit_verify", stdout=out)
    assert out.getvalue() == "Audit chain intact: 3 rows verified.\n"


@pytest.mark.django_db
def test_retention_keeps_the_legal_minimum_and_the_chain(safety_officer, settings):
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=200), tick=False):
        old = _three(safety_officer)
    with time_machine.travel(start - timedelta(days=100), tick=False):
        recent = _three(safety_officer)
    assert audit_purge(now=start) == 3
    remaining = set(AuditEvent.objects.values_list("pk", flat=True))
    assert not remaining & {e.pk for e in old}
    assert {e.pk for e in recent} <= remaining
    assert audit_verify().ok
    assert AuditEvent.objects.filter(action="audit.trail.purged").count() == 1


def test_sensitive_values_are_masked():
    assert mask_changes({"phone": "13800138000", "name": "x", "empty": ""}, {"phone", "empty"}) == {
        "phone": "***",
        "name": "x",
        "empty": "",
    }


@pytest.mark.django_db
def test_reads_of_a_sensitive_field_are_recorded(client, safety_officer, officer_a):
    from safecampus.organizations.models import Membership

    login(client, safety_officer)
    membership = Membership.objects.get(user=officer_a)
    response = client.post(f"/organizations/people/{membership.pk}/phone/")
    assert response.status_code == 200
    assert "13900139001" in response.content.decode()
    event = AuditEvent.objects.get(action="accounts.user.field_viewed")
    assert (event.actor_id, event.object_id, event.changes) == (
        safety_officer.pk,
        str(officer_a.pk),
        {"field": "phone"},
    )


@pytest.mark.django_db
def test_auditor_browses_filters_and_exports(client, auditor, safety_officer):
    _three(safety_officer)
    login(client, auditor)
    page = client.get("/audit/", {"action": "tests.thing"})
    assert page.status_code == 200
    assert len(page.context["page"].object_list) == 3
    export = client.get("/audit/export.csv", {"action": "tests.thing"})
    body = b"".join(export.streaming_content).decode()
    assert export["Content-Disposition"].startswith("attachment;")
    assert body.count("tests.thing.created") == 3
    assert (
        AuditEvent.objects.filter(action="audit.trail.exported", actor_id=auditor.pk).count() == 1
    )


@pytest.mark.django_db
def test_refused_routes_are_recorded(client, teacher_a):
    login(client, teacher_a)
    assert client.get("/audit/").status_code == 403
    event = AuditEvent.objects.get(action="core.route.refused")
    assert (event.actor_id, event.object_repr, event.result) == (teacher_a.pk, "/audit/", "denied")


@pytest.mark.django_db
def test_pages_of_the_trail_keep_the_filters(client, auditor, safety_officer):
    for i in range(55):
        audit_record(actor=safety_officer, action="tests.thing.created", changes={"n": i})
    login(client, auditor)
    second = client.get("/audit/", {"action": "tests.thing", "page": 2})
    assert len(second.context["page"].object_list) == 5
    html = second.content.decode()
    assert 'href="?action=tests.thing&page=1"' in html and "page=2&page" not in html


@pytest.mark.django_db
def test_the_auditor_sees_every_break_and_the_check_is_audited(client, auditor, safety_officer):
    events = _three(safety_officer)
    raw(
        "UPDATE audit_auditevent SET object_repr = 'x' WHERE id IN (%s, %s)",
        [e.pk for e in events[:2]],
    )
    login(client, auditor)
    with translation.override("en"):
        response = client.post("/audit/verify/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert [(f.kind, f.row_id) for f in response.context["shown"]] == [
        ("hash", events[0].pk),
        ("hash", events[1].pk),
    ]
    check = AuditEvent.objects.get(action="audit.trail.verified")
    assert check.changes == {"ok": False, "checked": 4, "findings": 2}  # 3 rows and the login
