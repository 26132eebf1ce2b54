"""The register, calendar and level pages in a real Chromium: nothing fetched from outside
the intranet, no CSP violation, no script error, badges painted in the bands' colours.

Playwright runs in a thread of its own: another module's session-wide browser may already
hold this thread's event loop, and a second sync Playwright cannot start beside it.
"""

from __future__ import annotations

import importlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from conftest import login
from safecampus.risk.services import calendar as calendar_services
from safecampus.risk.services import register as services
from tests.browser import conftest as shared

chromium_executable = shared.chromium_executable
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = "/tmp/risk-register-{}.png"


def _session_cookie(user) -> str:
    client = Client()
    login(client, user)
    return client.cookies["sessionid"].value


def _visit(executable: str, origin: str, cookies: dict[str, str], paths: dict[str, str]) -> Any:
    """Open each page (desktop, then the register on a phone); return what was seen."""
    from playwright.sync_api import sync_playwright

    seen: dict[str, Any] = {"foreign": [], "csp": [], "errors": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=shared.CHROMIUM_ARGS
        )
        for viewport, who in ((shared.DESKTOP, "bureau"), (shared.PHONE, "school")):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            context.add_init_script(shared._CSP_LISTENER)
            context.add_cookies([{"name": "sessionid", "value": cookies[who], "url": origin}])
            log = shared.PageLog(origin=origin)
            context.on("request", lambda request, log=log: log.requests.append(request.url))
            page = context.new_page()
            page.on("pageerror", lambda error, log=log: log.console_errors.append(str(error)))
            page.on(
                "console",
                lambda msg, log=log: (
                    log.console_errors.append(msg.text) if msg.type == "error" else None
                ),
            )
            names = paths if who == "bureau" else {"phone": "/risk/register/"}
            for name, path in names.items():
                page.goto(f"{origin}{path}")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=SHOTS.format(name), full_page=True)
                seen["csp"] += log.csp_violations(page)
            if who == "bureau":
                page.goto(f"{origin}/risk/register/")
                dot = page.locator("tr.level-1 [data-band-color] .sc-dot").first
                seen["dot"] = dot.evaluate("d => getComputedStyle(d).backgroundColor")
                seen["red_cell"] = page.locator("td.bg-level-1 strong").first.inner_text()
            else:
                seen["phone_rows"] = page.locator("text=南门外河道无护栏").count()
            seen["foreign"] += log.foreign_requests()
            seen["errors"] += log.console_errors
            context.close()
        browser.close()
    return seen


def test_register_pages_in_chromium(
    chromium_executable, live_server, district, safety_officer, officer_a
):
    # A transactional test starts from an empty database: seed the shipped rows again.
    importlib.import_module("safecampus.risk.migrations.0002_seed_bands_calendar").seed(apps, None)
    for likelihood, severity, title in (
        (5, 5, "南门外河道无护栏"),
        (3, 4, "食堂燃气管道老化"),
        (1, 2, "操场围网破损"),
    ):
        services.risk_item_create(
            actor=officer_a,
            school=district.school_a,
            category="drowning",
            title=title,
            likelihood=likelihood,
            severity=severity,
            owner_name="李专人",
            control_measures="设置护栏，专人巡查",
        )
    calendar_services.level_band_update(
        actor=safety_officer, level="red", label="一级（红色）", min_score=60, color="#aa0011"
    )
    item = services.risk_item_list(user=safety_officer).get(title="南门外河道无护栏")
    paths = {
        "list": "/risk/register/",
        "item": f"/risk/register/{item.pk}/",
        "calendar": "/risk/calendar/",
        "levels": "/risk/levels/",
        "new": "/risk/register/new/",
        "calendar-new": "/risk/calendar/new/",
        "profile": f"/risk/schools/{district.school_a.pk}/profile/",
    }
    cookies = {"bureau": _session_cookie(safety_officer), "school": _session_cookie(officer_a)}
    with ThreadPoolExecutor(max_workers=1) as pool:
        seen = pool.submit(_visit, chromium_executable, live_server.url, cookies, paths).result(
            timeout=120
        )
    assert (seen["foreign"], seen["csp"], seen["errors"]) == ([], [], [])
    assert seen["dot"] == "rgb(170, 0, 17)"
    assert seen["red_cell"] == "1"
    assert seen["phone_rows"] == 1
