"""/docs/api/ in Chromium, signed in: Swagger UI renders the live schema from our own
static files with no CSP violation (no inline style or script) and no console error."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_shell import _sign_in_password

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_api_docs_render_within_the_csp(desktop, live_server, principal_a):
    page, log = desktop
    _sign_in_password(page, live_server, principal_a)
    page.goto(f"{live_server.url}/docs/api/")
    expect(page.locator(".swagger-ui .information-container .title").first).to_contain_text(
        "SafeCampus API"
    )
    # Operations grouped by module, each tag with its "中文 · English" description.
    expect(page.locator("#operations-tag-leads")).to_be_visible()
    expect(page.locator("#operations-tag-risk")).to_contain_text("风险预警 · Monthly risk grades")
    assert log.foreign_requests() == []
    assert log.csp_violations(page) == []
    assert log.console_errors == []
