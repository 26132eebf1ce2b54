"""Timeline and available moves, through the case type's scope."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from safecampus.cases.selectors import case_timeline, case_transition_list
from safecampus.cases.services import case_comment, case_transition
from safecampus.cases.tests.casetype.models import ComplaintStatus as S

pytestmark = pytest.mark.django_db


def test_timeline_for_people_who_may_see_the_case(complaint, officer_a, officer_b, safety_officer):
    case_transition(actor=officer_a, case=complaint, to_status=S.ACCEPTED, note="已受理")
    case_comment(actor=safety_officer, case=complaint, note="请本周内处理")
    with translation.override("en"):
        events = case_timeline(user=officer_a, case=complaint)
        rows = [(e.kind, e.from_label, e.to_label, e.actor_label, e.note) for e in events]
        html = render_to_string("cases/partials/_timeline.html", {"events": events})
    assert rows == [
        ("created", "", "New", "李专人", "家长来电"),
        ("transitioned", "New", "Accepted", "李专人", "已受理"),
        ("comment", "", "", "王安全", "请本周内处理"),
    ]
    assert "Status changed" in html
    assert "已受理" in html
    assert case_timeline(user=officer_b, case=complaint) == []


def test_moves_offered_follow_the_table_and_the_role(
    complaint, officer_a, teacher_a, safety_officer
):
    def moves(user):
        return [
            (m.status, m.requires_note) for m in case_transition_list(user=user, case=complaint)
        ]

    assert moves(officer_a) == [("accepted", False)]
    assert moves(safety_officer) == [("accepted", False), ("rejected", True)]
    assert moves(teacher_a) == []
