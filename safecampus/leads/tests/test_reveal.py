"""A reporter's identity is seen only by its requester, after a second bureau user approved."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.utils import timezone

from conftest import _person, login
from safecampus.audit.models import AuditEvent
from safecampus.cases.errors import CasePermissionDenied
from safecampus.leads.choices import RevealStatus
from safecampus.leads.errors import LeadError
from safecampus.leads.models import RevealRequest
from safecampus.leads.services.reveal import (
    reveal_decide,
    reveal_identity,
    reveal_request,
    reveal_withdraw,
)
from safecampus.leads.tests.conftest import REPORTER_CONTACT, REPORTER_NAME
from safecampus.notifications.models import Notification
from safecampus.organizations.choices import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(district):
    return _person(
        "leader", district.bureau, Role.BUREAU_LEADER, second_factor=True, full_name="孙局长"
    )


def _actions(lead):
    return list(
        AuditEvent.objects.filter(
            action__regex=r"^leads\.lead\.(reveal_|reporter_viewed)", object_id=str(lead.pk)
        )
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_two_people_reveal_and_every_step_is_audited(lead, safety_officer, leader):
    asked = reveal_request(actor=safety_officer, lead=lead, reason="需联系举报人核实细节")
    with pytest.raises(CasePermissionDenied):
        reveal_identity(actor=safety_officer, lead=lead)  # not yet approved
    told = Notification.objects.filter(verb="leads.lead.reveal_requested")
    assert list(told.values_list("recipient__username", flat=True)) == ["leader"]
    assert REPORTER_NAME not in told.get().title + told.get().body
    reveal_decide(actor=leader, lead=lead, request_id=asked.pk, approve=True, note="同意")
    identity = reveal_identity(actor=safety_officer, lead=lead)
    assert identity == {"name": REPORTER_NAME, "contact": REPORTER_CONTACT}
    assert _actions(lead) == [
        "leads.lead.reveal_requested",
        "leads.lead.reveal_approved",
        "leads.lead.reporter_viewed",
    ]
    viewed = AuditEvent.objects.get(action="leads.lead.reporter_viewed")
    assert viewed.changes == {"request": asked.pk, "approved_by": leader.pk}
    assert REPORTER_NAME not in str(AuditEvent.objects.values_list("changes", flat=True))
    # the approver did not ask, and so sees nothing
    with pytest.raises(CasePermissionDenied):
        reveal_identity(actor=leader, lead=lead)


def test_the_requester_cannot_approve_their_own_request(lead, safety_officer):
    asked = reveal_request(actor=safety_officer, lead=lead, reason="核实")
    with pytest.raises(CasePermissionDenied):
        reveal_decide(actor=safety_officer, lead=lead, request_id=asked.pk, approve=True)
    assert RevealRequest.objects.get().status == RevealStatus.PENDING


def test_the_database_refuses_a_self_approval(lead, safety_officer):
    asked = RevealRequest.objects.create(lead=lead, requested_by=safety_officer, reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        RevealRequest.objects.filter(pk=asked.pk).update(decided_by=safety_officer)


def test_an_approval_expires(lead, safety_officer, leader):
    asked = reveal_request(actor=safety_officer, lead=lead, reason="核实")
    reveal_decide(actor=leader, lead=lead, request_id=asked.pk, approve=True)
    later = timezone.now() + timedelta(minutes=31)
    with time_machine.travel(later), pytest.raises(CasePermissionDenied):
        reveal_identity(actor=safety_officer, lead=lead)


def test_denied_withdrawn_and_bad_requests(lead, report_lead, safety_officer, leader):
    with pytest.raises(LeadError):
        reveal_request(actor=safety_officer, lead=lead, reason="  ")
    anonymous = report_lead(reporter_name="", reporter_contact="", is_anonymous=True)
    with pytest.raises(LeadError) as nothing:
        reveal_request(actor=safety_officer, lead=anonymous, reason="核实")
    assert nothing.value.code == "anonymous"
    first = reveal_request(actor=safety_officer, lead=lead, reason="核实")
    with pytest.raises(LeadError) as twice:
        reveal_request(actor=safety_officer, lead=lead, reason="再次")
    assert twice.value.code == "pending"
    reveal_withdraw(actor=safety_officer, lead=lead, request_id=first.pk)
    second = reveal_request(actor=safety_officer, lead=lead, reason="再次核实")
    reveal_decide(actor=leader, lead=lead, request_id=second.pk, approve=False, note="理由不足")
    with pytest.raises(CasePermissionDenied):
        reveal_identity(actor=safety_officer, lead=lead)
    with pytest.raises(LeadError):
        reveal_decide(actor=leader, lead=lead, request_id=second.pk, approve=True)


def test_schools_agencies_and_auditors_cannot_take_part(
    lead, safety_officer, officer_a, principal_a, police_liaison, auditor
):
    asked = reveal_request(actor=safety_officer, lead=lead, reason="核实")
    for person in (officer_a, principal_a, police_liaison, auditor):
        with pytest.raises(CasePermissionDenied):
            reveal_request(actor=person, lead=lead, reason="想知道")
        with pytest.raises(CasePermissionDenied):
            reveal_decide(actor=person, lead=lead, request_id=asked.pk, approve=True)
        with pytest.raises(CasePermissionDenied):
            reveal_identity(actor=person, lead=lead)
    assert RevealRequest.objects.get().status == RevealStatus.PENDING


def test_the_page_shows_the_identity_only_after_approval(client, lead, safety_officer, leader):
    url = f"/leads/{lead.pk}/reveal/"
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Ask to reveal" in page and REPORTER_NAME not in page
    assert client.post(url, {"action": "request", "note": "需回访"}).status_code == 302
    refused = client.post(url, {"action": "show"})
    assert refused.status_code == 403 and REPORTER_NAME not in refused.content.decode()
    request_id = RevealRequest.objects.get().pk
    self_approval = client.post(url, {"action": "approve", "request_id": request_id})
    assert self_approval.status_code == 403
    client.logout()  # (a new cookie jar: the language cookie goes too)
    login(client, leader)
    client.cookies["django_language"] = "en"
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Approve" in page and REPORTER_NAME not in page
    assert client.post(url, {"action": "approve", "request_id": request_id}).status_code == 302
    client.logout()
    login(client, safety_officer)
    shown = client.post(url, {"action": "show"})
    assert shown.status_code == 200
    body = shown.content.decode()
    assert REPORTER_NAME in body and REPORTER_CONTACT in body
    assert "no-store" in shown["Cache-Control"]
    assert REPORTER_NAME not in client.get(f"/leads/{lead.pk}/").content.decode()
    assert client.post(url, {"action": "nonsense"}).status_code == 400


def test_the_school_and_the_liaison_are_refused_the_reveal_route(client, lead, officer_a):
    login(client, officer_a)
    assert client.post(f"/leads/{lead.pk}/reveal/", {"action": "show"}).status_code == 403
