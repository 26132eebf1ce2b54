"""Lead statistics: exact counts, what is left out, small-cell suppression, scope, API, page."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache

from conftest import login
from safecampus.core.localtime import CHINA_TZ
from safecampus.leads.models import Lead, LeadCategory
from safecampus.leads.selectors.stats import lead_statistics, statistics_cache_key, suppress
from safecampus.leads.services import (
    lead_accept,
    lead_assign_school,
    lead_conclude,
    lead_mark_spam,
    lead_start_handling,
    lead_transfer,
)
from safecampus.leads.tests.conftest import TUESDAY_MORNING

pytestmark = pytest.mark.django_db


@pytest.fixture
def min_cell(settings):
    """Set the suppression threshold (the ``stats_min_cell`` rule) for one test."""

    def set_to(value: int) -> None:
        rules = dict(django_settings.SAFECAMPUS_RULES)
        rules["stats_min_cell"] = replace(rules["stats_min_cell"], value=value)
        settings.SAFECAMPUS_RULES = rules

    return set_to


@pytest.fixture
def reported(report_lead):
    """Report ``n`` leads of a category code for a school at a Shanghai time."""

    def make(n, code="gang_disruption", *, at=TUESDAY_MORNING, **extra):
        category = LeadCategory.objects.get(code=code)
        with time_machine.travel(at, tick=False):
            return [report_lead(category=category, **extra) for _ in range(n)]

    return make


def _cells(cells):
    return {cell["key"]: cell["count"] for cell in cells}


def _stats(user, **period):
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        return lead_statistics(user=user, **period)


def _conclude(lead, officer, school, *, after_days):
    with time_machine.travel(TUESDAY_MORNING + timedelta(days=after_days), tick=False):
        lead_accept(actor=officer, lead=lead)
        lead_assign_school(actor=officer, lead=lead, school=school)
        lead_start_handling(actor=officer, lead=lead)
        lead_conclude(actor=officer, lead=lead, result="verified")


def test_counts_by_category_school_status_and_local_month(
    reported, district, safety_officer, min_cell
):
    min_cell(1)
    reported(2, "gang_disruption", school=district.school_a)
    reported(1, "gang_disruption_extortion", school=district.school_a)  # a sub-type rolls up
    reported(3, "bullying_violence", school=district.school_b)
    # 23:30 on 31 January in Shanghai is still January; 00:30 on 1 February is February
    # there, though both are 31 January in UTC.
    reported(
        1, "other", school=district.school_b, at=datetime(2026, 1, 31, 23, 30, tzinfo=CHINA_TZ)
    )
    reported(1, "other", school=None, at=datetime(2026, 2, 1, 0, 30, tzinfo=CHINA_TZ))

    stats = _stats(safety_officer)

    assert stats["total"] == {"count": 8, "suppressed": False}
    assert _cells(stats["by_category"]) == {
        "gang_disruption": 3,
        "lawless_persons": 0,
        "construction_coercion": 0,
        "campus_loans": 0,
        "bullying_violence": 3,
        "other": 2,
    }
    assert _cells(stats["by_school"]) == {"XB-001": 3, "XB-002": 4, "": 1}
    assert [c["key"] for c in stats["by_school"]] == ["XB-002", "XB-001", ""]
    assert _cells(stats["by_status"])["received"] == 8
    assert "merged" not in _cells(stats["by_status"])
    months = _cells(stats["by_month"])
    assert [c["key"] for c in stats["by_month"]][::11] == ["2025-04", "2026-03"]
    assert (months["2026-01"], months["2026-02"], months["2026-03"]) == (1, 1, 6)
    assert sum(months.values()) == 8


def test_the_period_counts_leads_received_between_the_two_local_days(
    reported, district, safety_officer, min_cell
):
    min_cell(1)
    reported(1, at=datetime(2026, 1, 31, 23, 30, tzinfo=CHINA_TZ))
    reported(2, at=datetime(2026, 2, 1, 0, 30, tzinfo=CHINA_TZ))
    reported(4)

    february = _stats(safety_officer, date_from=date(2026, 2, 1), date_to=date(2026, 2, 28))
    until_january = _stats(safety_officer, date_to=date(2026, 1, 31))

    assert february["total"]["count"] == 2
    assert february["by_month"][-1] == {
        "key": "2026-02",
        "label": "2026-02",
        "count": 2,
        "suppressed": False,
    }
    assert until_january["total"]["count"] == 1
    assert until_january["by_month"][-1]["key"] == "2026-01"


def test_spam_and_merged_leads_are_not_counted(reported, district, safety_officer, min_cell):
    min_cell(1)
    leads = reported(5, school=district.school_a)
    lead_mark_spam(actor=safety_officer, lead=leads[0])
    Lead.objects.filter(pk=leads[1].pk).update(status="merged", closed_at=TUESDAY_MORNING)

    stats = _stats(safety_officer)

    assert stats["total"]["count"] == 3
    assert _cells(stats["by_category"])["gang_disruption"] == 3
    assert _cells(stats["by_school"]) == {"XB-001": 3}
    assert sum(c["count"] for c in stats["by_status"]) == 3


def test_time_to_conclusion_in_calendar_days(reported, district, safety_officer, min_cell):
    min_cell(1)
    leads = reported(5, school=district.school_a)
    for lead, days in zip(leads, (2, 5, 12, 40), strict=False):
        _conclude(lead, safety_officer, district.school_a, after_days=days)

    with time_machine.travel(TUESDAY_MORNING + timedelta(days=41), tick=False):
        conclusion = lead_statistics(user=safety_officer)["conclusion"]

    assert conclusion["concluded"] == {"count": 4, "suppressed": False}
    assert (conclusion["median_days"], conclusion["p90_days"]) == (5, 40)
    assert _cells(conclusion["histogram"]) == {"0-7": 2, "8-15": 1, "16-30": 0, "31+": 1}


def test_small_counts_are_suppressed_with_a_complementary_cell(reported, district, safety_officer):
    reported(5, "gang_disruption", school=district.school_a)
    reported(4, "bullying_violence", school=district.school_a)
    reported(1, "other", school=district.school_b)

    stats = _stats(safety_officer)

    assert stats["min_cell"] == 3  # the rule's default
    # "other" (1) is below 3; alone it would be 10 - 5 - 4, so the next smallest (4) goes too.
    categories = {c["key"]: (c["count"], c["suppressed"]) for c in stats["by_category"]}
    assert categories["other"] == (None, True)
    assert categories["bullying_violence"] == (None, True)
    assert categories["gang_disruption"] == (5, False)
    assert categories["campus_loans"] == (0, False)
    assert stats["total"] == {"count": 10, "suppressed": False}
    # By school: B has 1, A has 9, and nothing else can hide B: the total would reveal it,
    # so A is suppressed as well.
    assert _cells(stats["by_school"]) == {"XB-001": None, "XB-002": None}
    assert stats["conclusion"]["median_days"] is None


def test_a_small_total_is_suppressed(reported, district, safety_officer):
    reported(2, school=district.school_a)

    stats = _stats(safety_officer)

    assert stats["total"] == {"count": None, "suppressed": True}
    assert _cells(stats["by_category"])["gang_disruption"] is None
    assert _cells(stats["by_status"])["received"] is None


@pytest.mark.parametrize(
    ("counts", "hidden"),
    [
        ({"a": 10, "b": 7, "c": 0}, set()),  # nothing small, zeros stay visible
        ({"a": 10, "b": 7, "c": 2}, {"b", "c"}),  # one small: the next smallest joins it
        ({"a": 10, "b": 7, "c": 1, "d": 1}, {"b", "c", "d"}),  # 1 + 1 could only be 1 and 1
        ({"a": 10, "b": 2, "c": 1}, {"b", "c"}),  # two small, 2 + 1 cannot be split
        ({"a": 2, "b": 0}, {"a"}),  # nothing left to hide it with (the total is small too)
    ],
)
def test_suppression_rule(counts, hidden):
    cells = [{"key": k, "label": k, "count": n, "suppressed": False} for k, n in counts.items()]

    result = suppress(cells, 3)

    assert {c["key"] for c in result if c["suppressed"]} == hidden
    assert all(c["count"] is None for c in result if c["suppressed"])
    assert {c["key"]: c["count"] for c in result if not c["suppressed"]} == {
        k: n for k, n in counts.items() if k not in hidden
    }


def test_a_school_sees_only_its_own_leads(
    reported, district, safety_officer, officer_a, officer_b, min_cell
):
    min_cell(1)
    reported(4, actor=officer_a, school=district.school_a)  # the school's own screening
    reported(2, school=district.school_a)  # reported to the bureau, not given to the school

    school_a = _stats(officer_a)
    school_b = _stats(officer_b)
    bureau = _stats(safety_officer)

    assert school_a["total"]["count"] == 4
    assert _cells(school_a["by_school"]) == {"XB-001": 4}
    assert school_b["total"]["count"] == 0
    assert school_b["by_school"] == []
    assert sum(c["count"] for c in school_b["by_category"]) == 0
    assert bureau["total"]["count"] == 6


def test_a_liaison_sees_only_leads_transferred_to_the_agency(
    reported, district, safety_officer, police_liaison, min_cell
):
    min_cell(1)
    leads = reported(3, school=district.school_a)
    for lead in leads[:2]:
        lead_accept(actor=safety_officer, lead=lead)
        lead_transfer(actor=safety_officer, lead=lead, to_units=[district.police_station])

    stats = _stats(police_liaison)

    assert stats["total"]["count"] == 2
    assert _cells(stats["by_status"])["transferred"] == 2


def test_the_api_gives_the_figures_and_their_suppression(
    client, reported, district, safety_officer
):
    reported(4, school=district.school_a)
    login(client, safety_officer)

    with time_machine.travel(TUESDAY_MORNING, tick=False):
        response = client.get("/api/v1/leads/statistics/", {"date_from": "2026-03-01"})
        bad = client.get(
            "/api/v1/leads/statistics/", {"date_from": "2026-03-02", "date_to": "2026-03-01"}
        )

    assert response.status_code == 200
    data = response.json()
    assert set(data) == {
        "period",
        "min_cell",
        "day_unit",
        "total",
        "overdue",
        "by_category",
        "by_school",
        "by_month",
        "by_status",
        "conclusion",
    }
    assert data["period"] == {"from": "2026-03-01", "to": None}
    assert data["total"] == {"count": 4, "suppressed": False}
    assert data["by_school"] == [
        {"key": "XB-001", "label": "新北区实验小学", "count": 4, "suppressed": False}
    ]
    assert set(data["conclusion"]) == {"concluded", "median_days", "p90_days", "histogram"}
    assert bad.status_code == 400


def test_the_api_is_described_in_the_schema(client, safety_officer):
    login(client, safety_officer)

    operation = client.get("/api/v1/schema/").json()["paths"]["/api/v1/leads/statistics/"]["get"]

    assert "suppressed" in operation["description"]
    assert {p["name"] for p in operation["parameters"]} >= {"date_from", "date_to"}
    assert "200" in operation["responses"]


def test_the_page_shows_charts_and_tables_with_suppressed_counts(
    client, reported, district, safety_officer
):
    reported(5, "gang_disruption", school=district.school_a)
    reported(1, "other", school=district.school_a)
    login(client, safety_officer)
    client.cookies["django_language"] = "en"

    with time_machine.travel(TUESDAY_MORNING, tick=False):
        response = client.get("/leads/statistics/", {"date_from": "2026-01-01"})

    page = response.content.decode()
    assert response.status_code == 200
    for chart in ("chart-category", "chart-month", "chart-school", "chart-status", "chart-days"):
        assert f'data-chart="{chart}"' in page and f'id="{chart}"' in page
    assert "Leads by category" in page
    assert "&lt;3" in page
    assert "新北区实验小学" in page


def test_the_home_page_shows_the_lead_figures_to_lead_readers(
    client, reported, district, safety_officer, auditor
):
    reported(3, school=district.school_a)

    bureau_home = login(client, safety_officer).get("/").content.decode()
    client.logout()
    auditor_home = login(client, auditor).get("/").content.decode()

    assert 'data-testid="lead-stats-cards"' in bureau_home
    assert 'data-testid="kpi-leads">3<' in bureau_home
    assert 'data-chart="chart-lead-months"' in bureau_home
    assert "lead-stats-cards" not in auditor_home


@pytest.mark.parametrize("persona", ["auditor", "outsider"])
def test_auditor_and_outsider_are_refused(client, request, reported, district, persona):
    reported(3, school=district.school_a)
    login(client, request.getfixturevalue(persona))

    assert client.get("/leads/statistics/").status_code == 403
    assert client.get("/api/v1/leads/statistics/").status_code == 403


def test_anonymous_callers_are_sent_to_sign_in(client):
    assert client.get("/leads/statistics/").status_code == 302
    assert client.get("/api/v1/leads/statistics/").status_code == 401


def test_figures_are_cached_for_a_minute_and_stale_ones_serve_during_a_recount(
    reported, district, safety_officer, min_cell
):
    min_cell(1)
    reported(2, school=district.school_a)
    assert _stats(safety_officer)["total"]["count"] == 2

    reported(1, school=district.school_a)
    assert _stats(safety_officer)["total"]["count"] == 2  # still the cached figures

    later = TUESDAY_MORNING + timedelta(seconds=61)
    lock = f"{statistics_cache_key(safety_officer, None, None)}:lock"
    cache.add(lock, 1)  # another request is recounting
    with time_machine.travel(later, tick=False):
        assert lead_statistics(user=safety_officer)["total"]["count"] == 2
    cache.delete(lock)
    with time_machine.travel(later, tick=False):
        assert lead_statistics(user=safety_officer)["total"]["count"] == 3


def _month_chart(page: str) -> dict:
    found = re.search(
        r'<script id="chart-(?:lead-months|month)" type="application/json">(.*?)</script>', page
    )
    assert found, "the monthly chart's options are on the page"
    return json.loads(found.group(1))


def test_the_monthly_line_shows_zero_months_and_marks_hidden_ones(
    client, reported, district, safety_officer
):
    """Issue #14: the monthly line had gaps. A month without leads is a 0 on the line; a
    month whose count is suppressed is a gap with a dashed "<3" mark, and a note under the
    chart says why, on the statistics page and on the bureau's home page."""
    reported(5, school=district.school_a)  # March 2026
    reported(1, school=district.school_a, at=datetime(2026, 1, 20, 10, 0, tzinfo=CHINA_TZ))
    reported(4, school=district.school_b, at=datetime(2025, 12, 2, 10, 0, tzinfo=CHINA_TZ))
    login(client, safety_officer)
    client.cookies["django_language"] = "en"

    with time_machine.travel(TUESDAY_MORNING, tick=False):
        pages = [
            client.get("/leads/statistics/").content.decode(),
            client.get("/").content.decode(),
        ]

    for page in pages:
        chart = _month_chart(page)
        months = chart["xAxis"]["data"]
        values = dict(zip(months, chart["series"][0]["data"], strict=True))
        assert values["2026-02"] == 0 and values["2025-11"] == 0  # no lead: zero, no gap
        assert values["2026-03"] == 5
        # January (1 lead) is hidden, and December (4) with it, so January cannot be worked
        # out from the total.
        assert values["2026-01"] is None and values["2025-12"] is None
        marks = chart["series"][0]["markLine"]
        assert [m["xAxis"] for m in marks["data"]] == ["2025-12", "2026-01"]
        assert marks["lineStyle"]["type"] == "dashed" and marks["label"]["formatter"] == "<3"
        assert "Dashed lines mark months with fewer than 3 leads" in page


def test_no_note_when_every_month_shows(client, reported, district, safety_officer):
    reported(5, school=district.school_a)
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        page = client.get("/leads/statistics/").content.decode()
    assert "markLine" not in _month_chart(page)["series"][0]
    assert "Dashed lines mark" not in page
