"""A partner agency's side of a transferred lead: accept, progress, return, result (R-2.3)."""

from __future__ import annotations

import pytest

from conftest import _person, login
from safecampus.audit.models import AuditEvent
from safecampus.cases.choices import CaseEventKind as K
from safecampus.cases.choices import TransferStatus
from safecampus.cases.errors import CaseError, CasePermissionDenied
from safecampus.cases.models import CaseEvent, Transfer
from safecampus.leads.choices import LeadResult, LeadStatus
from safecampus.leads.errors import LeadError
from safecampus.leads.models import Lead
from safecampus.leads.services import lead_accept, lead_conclude, lead_transfer
from safecampus.leads.services.feedback import (
    lead_progress,
    lead_transfer_accept,
    lead_transfer_return,
)
from safecampus.organizations.choices import Role
from safecampus.organizations.tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(district):
    return AgencyFactory(code="SJ-SCJ", name="区市场监管局", parent=None)


@pytest.fixture
def market_liaison(market):
    return _person("market_liaison", market, Role.PARTNER_LIAISON, full_name="周科长")


@pytest.fixture
def transferred(lead, district, safety_officer):
    lead_accept(actor=safety_officer, lead=lead)
    lead_transfer(actor=safety_officer, lead=lead, to_units=[district.police_station])
    return lead


def _station_transfer(lead):
    return Transfer.objects.for_case(lead).get()


def test_liaison_accepts_reports_progress_and_concludes(transferred, police_liaison):
    transfer = _station_transfer(transferred)
    lead_transfer_accept(actor=police_liaison, lead=transferred, transfer_id=transfer.pk)
    transferred.refresh_from_db()
    assert transferred.status == LeadStatus.HANDLING
    lead_progress(actor=police_liaison, lead=transferred, note="已调取监控，正在走访")
    lead_conclude(
        actor=police_liaison, lead=transferred, result=LeadResult.PROSECUTION, note="已刑事立案"
    )
    row = Lead.objects.get(pk=transferred.pk)
    assert (row.status, row.result) == (LeadStatus.CONCLUDED, LeadResult.PROSECUTION)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.feedback_note) == (TransferStatus.ANSWERED, "已刑事立案")
    assert transfer.feedback_deadline.met_at is not None
    kinds = list(CaseEvent.objects.for_case(row).values_list("kind", flat=True))
    assert kinds[-5:] == [
        K.TRANSFER_ACCEPTED,
        K.TRANSITIONED,
        K.PROGRESS,
        K.FEEDBACK,
        K.TRANSITIONED,
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"leads.lead.transfer_accepted", "leads.lead.transfer_progress"} <= actions


def test_with_two_agencies_the_lead_concludes_on_the_last_answer_with_the_gravest_result(
    lead, district, safety_officer, police_liaison, market, market_liaison
):
    lead_accept(actor=safety_officer, lead=lead)
    lead_transfer(actor=safety_officer, lead=lead, to_units=[district.police_station, market])
    for liaison in (police_liaison, market_liaison):
        own = Transfer.objects.for_case(lead).get(to_unit__memberships__user=liaison)
        lead_transfer_accept(actor=liaison, lead=lead, transfer_id=own.pk)
    lead_conclude(actor=market_liaison, lead=lead, result=LeadResult.VERIFIED, note="无证经营")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.HANDLING  # the station still owes its feedback
    lead_conclude(actor=police_liaison, lead=lead, result=LeadResult.NOT_VERIFIED, note="未发现")
    row = Lead.objects.get(pk=lead.pk)
    assert (row.status, row.result) == (LeadStatus.CONCLUDED, LeadResult.VERIFIED)


def test_return_by_the_only_agency_sends_the_lead_back_to_the_bureau(
    transferred, police_liaison, district
):
    transfer = _station_transfer(transferred)
    with pytest.raises(CaseError):
        lead_transfer_return(
            actor=police_liaison, lead=transferred, transfer_id=transfer.pk, reason=" "
        )
    lead_transfer_return(
        actor=police_liaison, lead=transferred, transfer_id=transfer.pk, reason="不属于辖区"
    )
    row = Lead.objects.get(pk=transferred.pk)
    assert row.status == LeadStatus.ACCEPTED
    assert row.assignee_unit_id != district.police_station.pk
    [event] = CaseEvent.objects.for_case(row).filter(kind=K.TRANSFER_RETURNED)
    assert event.note == "不属于辖区"


def test_others_cannot_act_on_the_transfer_and_nothing_changes(
    transferred, officer_b, market_liaison
):
    transfer = _station_transfer(transferred)
    for stranger in (officer_b, market_liaison):
        with pytest.raises(CasePermissionDenied):
            lead_transfer_accept(actor=stranger, lead=transferred, transfer_id=transfer.pk)
        with pytest.raises(CasePermissionDenied):
            lead_transfer_return(
                actor=stranger, lead=transferred, transfer_id=transfer.pk, reason="x"
            )
    transfer.refresh_from_db()
    assert (transfer.status, transfer.accepted_at) == (TransferStatus.PENDING, None)
    assert Lead.objects.get(pk=transferred.pk).status == LeadStatus.TRANSFERRED


def test_a_transfer_of_another_lead_is_refused(transferred, report_lead, police_liaison):
    other = report_lead(description="另一条线索")
    with pytest.raises(LeadError) as refused:
        lead_transfer_accept(
            actor=police_liaison, lead=other, transfer_id=_station_transfer(transferred).pk
        )
    assert refused.value.code == "bad_transfer"


def test_the_liaison_works_the_lead_from_its_page(client, transferred, police_liaison):
    transfer = _station_transfer(transferred)
    login(client, police_liaison)
    client.cookies["django_language"] = "en"
    page = client.get(f"/leads/{transferred.pk}/").content.decode()
    assert "Accept the transfer" in page and "Return to the bureau" in page
    url = f"/leads/{transferred.pk}/transfers/{transfer.pk}/"
    assert client.post(url, {"action": "accept"}).status_code == 302
    assert client.post(url, {"action": "progress", "note": "走访中"}).status_code == 302
    refused = client.post(url, {"action": "return", "note": ""})
    assert refused.status_code == 400 and "Give a reason" in refused.content.decode()
    assert client.post(url, {"action": "bogus"}).status_code == 400
    page = client.get(f"/leads/{transferred.pk}/").content.decode()
    assert "走访中" in page
    assert Lead.objects.get(pk=transferred.pk).status == LeadStatus.HANDLING
