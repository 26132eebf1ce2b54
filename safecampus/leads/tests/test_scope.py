"""Who sees which lead, in the ledger, on its page and in the API; reporters stay hidden."""

from __future__ import annotations

import pytest
from django.db import connection

from conftest import login
from safecampus.leads.services import lead_accept, lead_assign_school, lead_transfer
from safecampus.leads.tests.conftest import REPORTER_CONTACT, REPORTER_NAME

pytestmark = pytest.mark.django_db

PERSONAS = ["safety_officer", "officer_a", "teacher_a", "officer_b", "police_liaison"]


def _seen(client, person, lead):
    login(client, person)
    listed = lead.pk in [row.pk for row in client.get("/leads/").context["page"]]
    page = client.get(f"/leads/{lead.pk}/").status_code
    api_list = [row["reference"] for row in client.get("/api/v1/leads/").json()["results"]]
    api_detail = client.get(f"/api/v1/leads/{lead.reference}/").status_code
    client.logout()
    return listed, page, lead.reference in api_list, api_detail


SEEN = (True, 200, True, 200)
HIDDEN = (False, 404, False, 404)


def _matrix(client, request, lead):
    return {p: _seen(client, request.getfixturevalue(p), lead) for p in PERSONAS}


def test_received_lead_is_seen_by_the_bureau_only(client, request, lead):
    assert _matrix(client, request, lead) == {
        "safety_officer": SEEN,
        "officer_a": HIDDEN,
        "teacher_a": HIDDEN,
        "officer_b": HIDDEN,
        "police_liaison": HIDDEN,
    }


def test_assigned_lead_is_seen_by_its_school(client, request, lead, district, safety_officer):
    lead_accept(actor=safety_officer, lead=lead)
    lead_assign_school(actor=safety_officer, lead=lead, school=district.school_a)
    assert _matrix(client, request, lead) == {
        "safety_officer": SEEN,
        "officer_a": SEEN,
        "teacher_a": SEEN,
        "officer_b": HIDDEN,
        "police_liaison": HIDDEN,
    }


def test_transferred_lead_is_seen_by_the_agency(client, request, lead, district, safety_officer):
    lead_accept(actor=safety_officer, lead=lead)
    lead_transfer(actor=safety_officer, lead=lead, to_units=[district.police_station])
    matrix = _matrix(client, request, lead)
    assert matrix["police_liaison"] == SEEN
    assert matrix["officer_b"] == HIDDEN and matrix["officer_a"] == HIDDEN


@pytest.mark.parametrize("persona", ["auditor", "outsider"])
def test_auditor_and_outsider_get_403_everywhere(client, request, lead, persona):
    login(client, request.getfixturevalue(persona))
    for url in ("/leads/", f"/leads/{lead.pk}/", "/api/v1/leads/", "/api/v1/lead-categories/"):
        assert client.get(url).status_code == 403, url


def test_reporter_identity_never_reaches_school_or_agency(
    client, report_lead, district, safety_officer, officer_a, police_liaison
):
    assigned, transferred = report_lead(), report_lead()
    for lead in (assigned, transferred):
        lead_accept(actor=safety_officer, lead=lead)
    lead_assign_school(actor=safety_officer, lead=assigned, school=district.school_a)
    lead_transfer(actor=safety_officer, lead=transferred, to_units=[district.police_station])
    for person, lead in (
        (officer_a, assigned),
        (police_liaison, transferred),
        (safety_officer, assigned),
    ):
        login(client, person)
        for url in (
            "/leads/",
            f"/leads/{lead.pk}/",
            "/api/v1/leads/",
            f"/api/v1/leads/{lead.reference}/",
        ):
            response = client.get(url)
            assert response.status_code == 200, (person.username, url)
            body = response.content.decode()
            assert REPORTER_NAME not in body and REPORTER_CONTACT not in body, (person, url)
            assert "reporter" not in (response.json() if url.startswith("/api/") else {})
        client.logout()


def test_reporter_identity_is_encrypted_at_rest(lead):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reporter_name, reporter_contact, reporter_contact_hash FROM leads_lead "
            "WHERE id = %s",
            [lead.pk],
        )
        name, contact, contact_hash = cursor.fetchone()
    assert name.startswith("enc1:") and contact.startswith("enc1:")
    assert REPORTER_NAME not in name and REPORTER_CONTACT not in contact
    assert REPORTER_CONTACT not in contact_hash and len(contact_hash) == 64
    lead.refresh_from_db()
    assert (lead.reporter_name, lead.reporter_contact) == (REPORTER_NAME, REPORTER_CONTACT)
