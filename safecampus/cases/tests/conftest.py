"""A complaint (the test-only case type) in school A, opened by its designated officer."""

from __future__ import annotations

from datetime import datetime

import pytest

from safecampus.cases.services import case_create
from safecampus.cases.tests.casetype.models import Complaint
from safecampus.core.localtime import CHINA_TZ

#: Friday before the 2026 Spring Festival: Sat 14 Feb is a make-up working day,
#: 15-23 Feb are days off, Sat 28 Feb is a make-up working day again.
SPRING_FESTIVAL_EVE = datetime(2026, 2, 13, 10, 0, tzinfo=CHINA_TZ)


def end_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 23, 59, 59, 999999, tzinfo=CHINA_TZ)


@pytest.fixture
def open_complaint(district, officer_a):
    def make(*, unit=None, title="食堂饭菜变质", actor=None):
        case = Complaint(unit=unit or district.school_a, title=title, complainant="家长")
        return case_create(actor=actor or officer_a, case=case, note="家长来电")

    return make


@pytest.fixture
def complaint(open_complaint):
    return open_complaint()
