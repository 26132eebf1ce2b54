"""visible_to(user) for every unit-owned model, as a matrix of personas."""

from __future__ import annotations

import pytest

from safecampus.audit.models import AuditEvent
from safecampus.organizations.models import Membership, School, Unit
from safecampus.organizations.scope import scope_for


@pytest.fixture
def everyone(safety_officer, officer_a, teacher_a, officer_b, police_liaison, auditor, outsider):
    return {
        "safety_officer": safety_officer,
        "officer_a": officer_a,
        "teacher_a": teacher_a,
        "officer_b": officer_b,
        "police_liaison": police_liaison,
        "auditor": auditor,
        "outsider": outsider,
    }


@pytest.mark.django_db
def test_school_visibility_matrix(everyone, district):
    expected = {
        "safety_officer": {"XB-001", "XB-002"},
        "officer_a": {"XB-001"},
        "teacher_a": {"XB-001"},
        "officer_b": {"XB-002"},
        "police_liaison": set(),  # only what is transferred to the agency: nothing yet
        "auditor": set(),  # the audit trail and nothing else
        "outsider": set(),  # unknown role: fail closed
    }
    seen = {
        name: set(School.objects.visible_to(user).values_list("unit__code", flat=True))
        for name, user in everyone.items()
    }
    assert seen == expected


@pytest.mark.django_db
def test_membership_visibility_matrix(everyone):
    counts = {name: Membership.objects.visible_to(u).count() for name, u in everyone.items()}
    assert counts["safety_officer"] == Membership.objects.count()
    assert counts["officer_a"] == 2  # officer_a and teacher_a of school A
    assert counts["officer_b"] == 1
    assert counts["police_liaison"] == counts["auditor"] == counts["outsider"] == 0


@pytest.mark.django_db
def test_audit_events_only_for_auditors(everyone, safety_officer):
    from safecampus.audit.services import audit_record

    audit_record(actor=safety_officer, action="tests.thing.created")
    readers = {n for n, u in everyone.items() if AuditEvent.objects.visible_to(u).exists()}
    assert readers == {"auditor"}


@pytest.mark.django_db
def test_units_visible_to_school_roles_are_their_own(officer_a, district, police_liaison):
    assert list(Unit.objects.visible_to(officer_a).values_list("code", flat=True)) == ["XB-001"]
    assert list(Unit.objects.visible_to(police_liaison).values_list("code", flat=True)) == ["GA-SJ"]


@pytest.mark.django_db
def test_anonymous_and_inactive_users_have_no_scope(officer_a):
    from django.contrib.auth.models import AnonymousUser

    assert scope_for(AnonymousUser()).roles == frozenset()
    officer_a.is_active = False
    assert scope_for(officer_a).roles == frozenset()


@pytest.mark.django_db
def test_an_inactive_membership_grants_nothing(officer_a):
    Membership.objects.filter(user=officer_a).update(is_active=False)
    officer_a.refresh_from_db()
    assert School.objects.visible_to(officer_a).count() == 0


@pytest.mark.django_db
def test_a_deactivated_unit_grants_nothing(officer_a, district):
    Unit.objects.filter(pk=district.school_a.pk).update(is_active=False)
    officer_a.refresh_from_db()
    assert scope_for(officer_a).roles == frozenset()
