"""Working days across the 2026 Spring Festival, and years the official calendar does not know."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import chinese_calendar
import pytest
import time_machine

import safecampus.cases.calendar as calendar_module
from safecampus.cases.calendar import (
    add_calendar_days,
    add_working_days,
    is_working_day,
    official_days,
    year_is_known,
)
from safecampus.cases.models import CaseEvent, HolidayOverride
from safecampus.cases.services import deadline_set
from safecampus.cases.tests.conftest import SPRING_FESTIVAL_EVE, end_of


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday
        (date(2026, 2, 14), True),  # Saturday, make-up working day
        (date(2026, 2, 15), False),  # Sunday, holiday
        (date(2026, 2, 16), False),  # Monday, holiday
        (date(2026, 2, 23), False),  # Monday, last day of the holiday
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),  # Saturday, make-up working day
        (date(2026, 3, 1), False),  # Sunday
    ],
)
def test_official_days_of_the_2026_spring_festival(day, working):
    assert is_working_day(day) is working


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("n", "due"),
    [
        (0, end_of(2026, 2, 13)),
        (1, end_of(2026, 2, 14)),  # the make-up Saturday counts
        (2, end_of(2026, 2, 24)),  # nine days off are skipped
        (5, end_of(2026, 2, 27)),
        (6, end_of(2026, 2, 28)),
        (7, end_of(2026, 3, 2)),
        (15, end_of(2026, 3, 12)),
    ],
)
def test_working_days_across_the_spring_festival(n, due):
    assert add_working_days(SPRING_FESTIVAL_EVE, n) == due


@pytest.mark.django_db
def test_the_start_day_is_the_day_in_china():
    # 17:00 UTC on Thursday is 01:00 on Friday in Shanghai.
    start = datetime(2026, 2, 12, 17, 0, tzinfo=UTC)
    assert add_working_days(start, 1) == end_of(2026, 2, 14)
    assert add_calendar_days(start, 3) == end_of(2026, 2, 16)
    assert end_of(2026, 2, 14).isoformat() == "2026-02-14T23:59:59.999999+08:00"


@pytest.mark.django_db
def test_calendar_days_ignore_holidays():
    assert add_calendar_days(SPRING_FESTIVAL_EVE, 3) == end_of(2026, 2, 16)
    assert add_calendar_days(SPRING_FESTIVAL_EVE, 0) == end_of(2026, 2, 13)


@pytest.mark.django_db
def test_one_query_per_year_not_per_day(django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(SPRING_FESTIVAL_EVE, 60)


@pytest.mark.django_db
def test_an_override_wins_over_the_official_calendar():
    HolidayOverride.objects.create(day=date(2026, 2, 16), is_workday=True, name="值班")
    HolidayOverride.objects.create(day=date(2026, 2, 14), is_workday=False, name="调整")
    assert is_working_day(date(2026, 2, 16)) is True
    assert is_working_day(date(2026, 2, 14)) is False
    assert add_working_days(SPRING_FESTIVAL_EVE, 1) == end_of(2026, 2, 16)


@pytest.mark.django_db
def test_a_year_the_official_calendar_does_not_know(caplog):
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 2, 8))
    assert year_is_known(2026) is True
    assert year_is_known(2027) is False
    start = datetime(2027, 2, 4, 10, 0, tzinfo=UTC)  # Thursday

    # Until the bureau enters the year: Monday to Friday, and a warning in the log.
    calendar_module._UNKNOWN_YEARS.clear()
    with caplog.at_level(logging.WARNING, logger="safecampus.cases.calendar"):
        assert add_working_days(start, 1) == end_of(2027, 2, 5)
        assert add_working_days(start, 3) == end_of(2027, 2, 9)
    assert [r.getMessage() for r in caplog.records] == [
        "chinese-calendar has no data for 2027; using Monday-Friday plus the holiday "
        "overrides entered for that year."
    ]  # once per process and year, not per calculation (the home page warns people)

    for day in range(5, 12):
        HolidayOverride.objects.create(day=date(2027, 2, day), is_workday=False, name="春节")
    HolidayOverride.objects.create(day=date(2027, 2, 13), is_workday=True, name="春节调休上班")
    assert add_working_days(start, 1) == end_of(2027, 2, 12)
    assert add_working_days(start, 2) == end_of(2027, 2, 13)  # Saturday, make-up day
    assert add_working_days(start, 3) == end_of(2027, 2, 15)
    assert is_working_day(date(2031, 5, 1)) is True  # a Thursday, nothing entered yet


@pytest.mark.django_db
def test_a_deadline_set_on_the_eve_of_the_holiday(complaint, safety_officer):
    with time_machine.travel(SPRING_FESTIVAL_EVE, tick=False):
        deadline = deadline_set(actor=safety_officer, case=complaint, purpose="reply", days=3)
        calendar_deadline = deadline_set(
            actor=safety_officer, case=complaint, purpose="visit", days=3, working_days=False
        )
    assert deadline.due_at == end_of(2026, 2, 25)
    assert (deadline.days, deadline.working_days, deadline.started_at) == (
        3,
        True,
        SPRING_FESTIVAL_EVE,
    )
    assert calendar_deadline.due_at == end_of(2026, 2, 16)
    assert deadline.escalate_to.is_safety_section
    event = CaseEvent.objects.for_case(complaint).filter(kind="deadline_set").first()
    assert event.data == {
        "deadline": deadline.pk,
        "purpose": "reply",
        "days": 3,
        "working_days": True,
        "due_at": "2026-02-25T23:59:59.999999+08:00",
        "replaced": None,
    }


def test_official_days_list_the_make_up_saturdays():
    days = {(row.day, row.is_workday) for row in official_days(2026)}
    assert (date(2026, 2, 14), True) in days
    assert (date(2026, 2, 16), False) in days
    assert official_days(2027) == []
