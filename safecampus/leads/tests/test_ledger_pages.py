"""The ledger's keyset pages (received time desc, id desc), its total, and what one page
costs in queries, unfiltered and filtered."""

from __future__ import annotations

import re
from html import unescape

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.template import engines
from django.template.loader import render_to_string
from django.test import SimpleTestCase
from django.test.utils import override_settings
from django.utils import translation

from conftest import login
from safecampus.core.pagination import KeysetPage, Total, total_count
from safecampus.leads.models import Lead, LeadCategory
from safecampus.leads.selectors.leads import lead_ledger
from safecampus.leads.services import lead_accept
from safecampus.leads.templatetags.ledger import ledger_rows
from safecampus.leads.tests.conftest import TUESDAY_MORNING
from safecampus.leads.views.leads import LEDGER_COLUMNS

pytestmark = pytest.mark.django_db


def _link(html: str, rel: str) -> str | None:
    """The ledger URL the link ``rel`` goes to (the href is the query string alone)."""
    found = re.search(rf'<a class="page-link" rel="{rel}" href="\?([^"]+)"', html)
    return "/leads/?" + unescape(found.group(1)) if found else None


@pytest.fixture
def seven_leads(report_lead):
    """Seven leads; three share one received time, so only the id orders them."""
    made = []
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        made += [report_lead(), report_lead(), report_lead()]
    for day in (11, 12, 13, 14):
        with time_machine.travel(TUESDAY_MORNING.replace(day=day), tick=False):
            made.append(report_lead())
    return made


def test_next_and_previous_walk_every_lead_once_in_order(
    client, seven_leads, safety_officer, monkeypatch
):
    monkeypatch.setattr("safecampus.leads.views.leads.PAGE_SIZE", 2)
    expected = list(Lead.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
    login(client, safety_officer)
    url, pages = "/leads/", []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        pages.append(([lead.pk for lead in response.context["page"]], url))
        url = _link(response.content.decode(), "next")
    assert [pk for rows, _url in pages for pk in rows] == expected
    assert [len(rows) for rows, _url in pages] == [2, 2, 2, 1]
    # Back from the last page, each previous page is the one seen on the way forward.
    html = client.get(pages[-1][1]).content.decode()
    for rows, _url in reversed(pages[:-1]):
        response = client.get(_link(html, "prev"))
        assert [lead.pk for lead in response.context["page"]] == rows
        html = response.content.decode()
    assert _link(html, "prev") is None  # the first page again: nothing newer


def test_the_links_keep_the_filters_and_the_export_drops_the_cursor(
    client, seven_leads, safety_officer, monkeypatch
):
    monkeypatch.setattr("safecampus.leads.views.leads.PAGE_SIZE", 2)
    lead_accept(actor=safety_officer, lead=seven_leads[0])
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    first = client.get("/leads/", {"status": "received"}).content.decode()
    following = _link(first, "next")
    assert following is not None and "status=received" in following
    second = client.get(following)
    shown = list(second.context["page"])
    assert shown and all(lead.status == "received" for lead in shown)
    html = second.content.decode()
    assert '<nav class="card-footer" aria-label="Pages">' in html
    assert 'rel="prev"' in html and ">Newest</a>" in html
    export = re.search(r'href="(/leads/export/[^"]*)"', html)
    assert export is not None
    assert "status=received" in export.group(1) and "after=" not in export.group(1)
    assert "6 leads" in html  # the total of the filter, not of the page


def test_a_damaged_cursor_shows_the_first_page(client, seven_leads, safety_officer):
    login(client, safety_officer)
    for cursor in ("x", "12.", "-.5", "9" * 60 + ".1", "99999999999999999999.1"):
        response = client.get("/leads/", {"after": cursor})
        assert response.status_code == 200
        assert len(response.context["page"]) == 7


def test_a_school_outside_the_scope_is_refused_as_a_filter(
    client, seven_leads, officer_a, district
):
    login(client, officer_a)
    response = client.get("/leads/", {"school": district.school_b.code})
    assert "school" in response.context["form"].errors
    allowed = client.get("/leads/", {"school": district.school_a.code, "status": "received"})
    assert allowed.context["form"].is_valid()
    html = allowed.content.decode()  # the filter form shows what was chosen
    assert f'<option value="{district.school_a.code}" selected>' in html
    assert '<option value="received" selected>' in html
    assert f'<option value="{district.school_b.code}">' not in html  # outside the scope


def test_the_total_is_exact_up_to_the_limit_then_may_be_estimated(seven_leads):
    leads = Lead.objects.all()
    assert total_count(leads).value == 7 and not total_count(leads).is_estimate
    beyond = total_count(leads, exact_up_to=3)
    if connection.vendor == "postgresql":
        assert beyond.is_estimate and beyond.value >= 4  # the planner's figure, never below
    else:
        assert beyond.value == 7 and not beyond.is_estimate  # SQLite counts through an index


@override_settings(LANGUAGE_CODE="en")
def test_an_estimated_total_says_about():
    html = render_to_string(
        "leads/partials/_lead_table.html",
        {
            "page": KeysetPage([]),
            "count": 120000,
            "count_is_estimate": True,
            "count_grouped": Total(120000, True).grouped,
            "query": "",
        },
    )
    assert "about 120,000 leads" in html


# Session, user, second factor, memberships; then the total, the categories of the filter
# form and the page (the school list is cached after the first request). A query per row
# (a lazy category or school) or a second count would show here. With Redis the session is
# read from the cache (``cached_db``), one query fewer.
UNFILTERED_QUERIES = 7
#: The filter adds its lookups: the category's sub-types, the school's scope check.
FILTERED_QUERIES = UNFILTERED_QUERIES + 3


def _session_queries_saved() -> int:
    return 1 if settings.SESSION_ENGINE.endswith("cached_db") else 0


def test_one_ledger_page_costs_a_fixed_number_of_queries(
    client, seven_leads, safety_officer, district, django_assert_num_queries
):
    login(client, safety_officer)
    filtered = {
        "category": "gang_disruption",
        "status": "received",
        "school": district.school_a.code,
        "received_from": "2026-03-01",
        "received_to": "2026-03-31",
    }
    client.get("/leads/")  # per-process caches: content types, the school list
    client.get("/leads/", filtered)
    saved = _session_queries_saved()
    with django_assert_num_queries(UNFILTERED_QUERIES - saved):
        assert len(client.get("/leads/").context["page"]) == 7
    with django_assert_num_queries(FILTERED_QUERIES - saved):
        assert len(client.get("/leads/", filtered).context["page"]) == 7


def test_a_category_with_many_leads_lists_the_same_rows_read_in_the_ledger_order(
    client, report_lead, safety_officer, monkeypatch
):
    family = LeadCategory.objects.get(code="gang_disruption")
    sub_type = family.children.order_by("pk").first()
    elsewhere = LeadCategory.objects.get(code="other")
    made = [report_lead(), report_lead(category=sub_type), report_lead(category=elsewhere)]
    expected = [lead.pk for lead in reversed(made[:2])]
    login(client, safety_officer)
    for dense_above in (10_000, 0):  # sorted matches, then the walk of the received-time index
        monkeypatch.setattr("safecampus.leads.selectors.leads.DENSE_CATEGORY_MATCHES", dense_above)
        response = client.get("/leads/", {"category": "gang_disruption"})
        assert [lead.pk for lead in response.context["page"]] == expected
        assert response.context["count"] == 2


#: The rows as the template wrote them before ``ledger_rows`` took over: the reference.
TEMPLATE_ROWS = (
    "{% load i18n safecampus %}{% for lead in page %}<tr>"
    '<td class="text-nowrap"><a href="{{ detail_prefix }}{{ lead.pk }}/">'
    "<code>{{ lead.reference }}</code></a>{% if lead.is_spam %} "
    '<span class="badge text-bg-secondary">{% translate "Spam" %}</span>{% endif %}</td>'
    "<td>{{ lead.category|localized }}</td>"
    '<td class="text-break">{{ lead.title|truncatechars:60 }}</td>'
    '<td>{{ lead.school.name|default:"—" }}</td>'
    '<td><span class="badge text-bg-light border">{{ lead.status_label }}</span>'
    '{% if lead.urgency != "normal" %} '
    '<span class="badge text-bg-danger">{{ lead.get_urgency_display }}</span>{% endif %}</td>'
    '<td class="text-nowrap">{{ lead.created_at|date:"Y-m-d H:i" }}</td>'
    "</tr>{% endfor %}"
)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_rows_written_in_python_are_the_template_s_rows(
    seven_leads, safety_officer, district, language
):
    first, second, third, fourth = seven_leads[:4]
    Lead.objects.filter(pk=first.pk).update(title="<b>Tom & Jerry's</b> " + "长" * 80)
    Lead.objects.filter(pk=second.pk).update(is_spam=True, urgency="urgent")
    Lead.objects.filter(pk=third.pk).update(school=None)
    Lead.objects.filter(pk=fourth.pk).update(title='"quoted"', urgency="critical")
    with translation.override(language):
        leads, _total = lead_ledger(user=safety_officer, columns=LEDGER_COLUMNS)
        page = list(leads.order_by("-created_at", "-id"))
        reference = engines["django"].from_string(TEMPLATE_ROWS)
        expected = reference.render({"page": page, "detail_prefix": "/leads/"})
        written = ledger_rows(page, "/leads/")
    SimpleTestCase().assertHTMLEqual(written, expected)
    assert "&lt;b&gt;Tom &amp; Jerry&#x27;s&lt;/b&gt;" in written and "—" in written
    assert written.count("text-bg-danger") == 2 and written.count("text-bg-secondary") == 1
    assert ledger_rows([], "/leads/") == ""
