"""The working-day calendar page: a permission matrix, and edits that are audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from conftest import login
from safecampus.audit.models import AuditEvent
from safecampus.cases.models import HolidayOverride

pytestmark = pytest.mark.django_db

URL = reverse("cases:holiday_list")
DELETE_URL = reverse("cases:holiday_delete")
NEW_ENTRY = {"day": "2027-02-13", "kind": "work", "name": "春节调休上班", "source": "国办发明电"}


def test_anonymous_goes_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("persona", ["teacher_a", "officer_a", "auditor", "outsider"])
def test_others_are_refused_and_change_nothing(client, request, persona):
    HolidayOverride.objects.create(day=date(2027, 2, 8), is_workday=False, name="春节")
    login(client, request.getfixturevalue(persona))
    assert client.get(URL).status_code == 403
    assert client.post(URL, NEW_ENTRY).status_code == 403
    assert client.post(DELETE_URL, {"day": "2027-02-08"}).status_code == 403
    assert list(HolidayOverride.objects.values_list("day", flat=True)) == [date(2027, 2, 8)]
    assert not AuditEvent.objects.filter(action__startswith="cases.holidayoverride").exists()


def test_safety_officer_sees_a_year_the_calendar_does_not_know(client, safety_officer):
    HolidayOverride.objects.create(day=date(2027, 2, 8), is_workday=False, name="春节假期")
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    response = client.get(URL, {"year": 2027})
    assert response.status_code == 200
    assert [row.name for row in response.context["overrides"]] == ["春节假期"]
    assert response.context["year_known"] is False
    assert response.context["official_days"] == []
    assert "has no official holidays for 2027" in response.content.decode()


def test_safety_officer_adds_changes_and_removes_a_day(client, safety_officer):
    login(client, safety_officer)
    response = client.post(URL, NEW_ENTRY)
    assert response.status_code == 302
    assert response.url == f"{URL}?year=2027"
    row = HolidayOverride.objects.get()
    assert (row.day, row.is_workday, row.name, row.updated_by) == (
        date(2027, 2, 13),
        True,
        "春节调休上班",
        safety_officer,
    )
    client.post(URL, NEW_ENTRY | {"kind": "off", "name": "调整为休息"})
    row.refresh_from_db()
    assert (row.is_workday, row.name) == (False, "调整为休息")

    assert client.post(DELETE_URL, {"day": "2027-02-13"}).status_code == 302
    assert not HolidayOverride.objects.exists()
    actions = AuditEvent.objects.filter(action__startswith="cases.holidayoverride")
    assert sorted(actions.values_list("action", flat=True)) == [
        "cases.holidayoverride.created",
        "cases.holidayoverride.deleted",
        "cases.holidayoverride.updated",
    ]


def test_invalid_input_is_shown_again(client, safety_officer):
    login(client, safety_officer)
    response = client.post(URL, {"day": "not a date", "kind": "work", "name": ""})
    assert response.status_code == 400
    assert not HolidayOverride.objects.exists()
