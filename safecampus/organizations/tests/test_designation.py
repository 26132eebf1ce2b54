"""R-1.1: the bureau names, replaces and ends a unit's designated person, with the history
kept and every change audited; schools cannot, and only a member of the unit can be named."""

from __future__ import annotations

import pytest

from conftest import _person, login
from safecampus.audit.models import AuditEvent
from safecampus.core.errors import ConflictError, ForbiddenError
from safecampus.organizations.choices import Role
from safecampus.organizations.models import Designation, Membership
from safecampus.organizations.services import (
    OrganizationError,
    designation_end,
    designation_name,
)

pytestmark = pytest.mark.django_db


def _flag(unit, user) -> bool:
    return Membership.objects.filter(unit=unit, user=user, is_designated=True).exists()


def test_name_replace_and_end_keep_the_history(district, safety_officer, principal_a, teacher_a):
    school = district.school_a
    first = designation_name(actor=safety_officer, unit=school, user=teacher_a, note="开学任命")
    assert _flag(school, teacher_a)
    with pytest.raises(ConflictError):
        designation_name(actor=safety_officer, unit=school, user=teacher_a)
    second = designation_name(actor=safety_officer, unit=school, user=principal_a)
    first.refresh_from_db()
    assert first.ended_at is not None and first.ended_by == safety_officer
    assert not _flag(school, teacher_a) and _flag(school, principal_a)
    with pytest.raises(OrganizationError):
        designation_end(actor=safety_officer, unit=school, note="  ")
    ended = designation_end(actor=safety_officer, unit=school, note="调离本校")
    assert ended.pk == second.pk and ended.end_note == "调离本校"
    assert not Designation.objects.filter(unit=school, ended_at__isnull=True).exists()
    with pytest.raises(ConflictError):
        designation_end(actor=safety_officer, unit=school, note="再次")
    actions = list(
        AuditEvent.objects.filter(action__startswith="organizations.designation.").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == sorted(
        ["organizations.designation.named"] * 2 + ["organizations.designation.ended"]
    )


def test_only_the_bureau_names_and_only_a_member_is_named(
    district, safety_officer, principal_a, officer_b
):
    with pytest.raises(ForbiddenError):
        designation_name(actor=principal_a, unit=district.school_a, user=principal_a)
    with pytest.raises(OrganizationError):  # school B's officer is not a member of school A
        designation_name(actor=safety_officer, unit=district.school_a, user=officer_b)
    assert not Designation.objects.exists()


def test_the_page_names_ends_and_refuses_bad_input(client, district, safety_officer, teacher_a):
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    url = f"/organizations/responsibility/{district.school_a.code}/"
    page = client.get(url)
    assert page.status_code == 200 and "Designated person" in page.content.decode()
    assert client.post(url, {"action": "name", "person": "999999"}).status_code == 400
    assert client.post(url, {"action": "end", "note": ""}).status_code == 400
    named = client.post(url, {"action": "name", "person": str(teacher_a.pk), "note": "任命"})
    assert named.status_code == 302 and _flag(district.school_a, teacher_a)
    body = client.get(url).content.decode()
    assert str(teacher_a) in body and "Current" in body
    assert client.post(url, {"action": "end", "note": "调离"}).status_code == 302
    assert not _flag(district.school_a, teacher_a)
    assert client.get("/organizations/responsibility/NOPE/").status_code == 404
    listing = client.get("/organizations/responsibility/").content.decode()
    assert url in listing  # the responsibility table links each unit here


def test_school_roles_cannot_open_the_page(client, district):
    principal = _person("p_x", district.school_a, Role.PRINCIPAL)
    login(client, principal)
    url = f"/organizations/responsibility/{district.school_a.code}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "name", "person": str(principal.pk)}).status_code == 403


def test_the_api_names_lists_and_ends(client, district, safety_officer, teacher_a, officer_b):
    login(client, safety_officer)
    url = f"/api/v1/responsibility/{district.school_a.code}/designations/"
    post = lambda data: client.post(url, data, content_type="application/json")  # noqa: E731
    assert post({"action": "name", "person": teacher_a.pk, "note": "任命"}).status_code == 200
    [current] = client.get(url).json()
    assert current["person"] == teacher_a.pk and current["ended_at"] is None
    for bad in (
        {"action": "name", "person": officer_b.pk},  # not a member of school A
        {"action": "name"},
        {"action": "fly"},
        {"action": "name", "person": 2**70},
        {"action": "end", "note": ""},
    ):
        assert post(bad).status_code == 400, bad
    assert post({"action": "name", "person": teacher_a.pk}).status_code == 409
    ended = post({"action": "end", "note": "调离"})
    assert ended.status_code == 200 and ended.json()["end_note"] == "调离"
    assert client.get("/api/v1/responsibility/NOPE/designations/").status_code == 404
    client.logout()
    login(client, officer_b)
    assert client.get(url).status_code == 403
