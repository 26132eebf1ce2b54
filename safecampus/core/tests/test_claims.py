"""core.claims: the first claim wins, a failed escalation gives the row back, a sweep goes on."""

from __future__ import annotations

import pytest

from safecampus.core.claims import claim, claim_and_escalate, sweep
from safecampus.organizations.models import Unit
from safecampus.organizations.tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _still_active(pk: int):
    return Unit.objects.filter(pk=pk, is_active=True)


def _claim_row(pk: int) -> bool:
    return claim(_still_active(pk), is_active=False)


def test_of_two_claims_of_one_row_only_the_first_wins():
    unit = UnitFactory()
    assert [_claim_row(unit.pk), _claim_row(unit.pk)] == [True, False]


def test_an_escalation_that_fails_undoes_its_claim():
    unit = UnitFactory()

    def broken() -> None:
        raise RuntimeError("mail server down")

    with pytest.raises(RuntimeError):
        claim_and_escalate(lambda: _claim_row(unit.pk), broken)
    unit.refresh_from_db()
    assert unit.is_active is True
    assert claim_and_escalate(lambda: _claim_row(unit.pk), lambda: None) is True
    assert claim_and_escalate(lambda: _claim_row(unit.pk), lambda: None) is False


def test_a_sweep_escalates_each_row_once_and_leaves_a_failing_one_for_the_next():
    ok, failing, done = UnitFactory(), UnitFactory(), UnitFactory(is_active=False)
    escalated: list[int] = []

    def escalate(pk: int) -> None:
        if pk == failing.pk:
            raise RuntimeError("mail server down")
        escalated.append(pk)

    pks = [ok.pk, failing.pk, done.pk, ok.pk]
    assert sweep(pks, claim_row=_claim_row, escalate=escalate, what="unit") == 1
    assert escalated == [ok.pk]
    assert list(Unit.objects.filter(is_active=True).values_list("pk", flat=True)) == [failing.pk]
