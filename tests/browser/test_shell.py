"""The page shell in a real browser: Chinese first, sign-in with TOTP, language switch,
navigation on a phone, and nothing fetched from outside the intranet."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from safecampus.organizations.choices import Role
from safecampus.organizations.tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOT_DESKTOP = "/tmp/shell.png"
SCREENSHOT_PHONE = "/tmp/shell-phone.png"
SCREENSHOT_PHONE_HOME = "/tmp/shell-phone-home.png"
SCREENSHOT_LOGIN = "/tmp/shell-login.png"


def _current_code(user) -> str:
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return str(code).zfill(device.digits)


def _submit_password(page, live_server, user) -> None:
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.sc-auth-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/"))


def _sign_in(page, live_server, user) -> None:
    """Through the real forms: password, then the code from the person's TOTP device."""
    _submit_password(page, live_server, user)
    page.locator("#id_token").fill(_current_code(user))
    page.locator("form.sc-auth-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")


def _sign_in_password(page, live_server, user) -> None:
    """For roles without a second factor (school staff): the password form only."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form.sc-auth-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/")


def _assert_clean(page, log) -> None:
    assert log.foreign_requests() == []
    assert log.csp_violations(page) == []
    assert log.console_errors == []


def test_login_page_speaks_chinese_first(desktop, live_server, safety_officer):
    page, log = desktop
    page.goto(f"{live_server.url}/accounts/login/")

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator(".sc-brand-zh").first).to_have_text("平安校园")
    page.screenshot(path=SCREENSHOT_LOGIN, full_page=True)
    _assert_clean(page, log)
    # Needs the Chinese catalogue (locale/zh_Hans): "Sign in" is 登录.
    expect(page.get_by_role("button", name="登录")).to_be_visible()


def test_sign_in_switch_language_and_stay_on_the_intranet(desktop, live_server, safety_officer):
    page, log = desktop
    _sign_in(page, live_server, safety_officer)

    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator(".sc-user-name")).to_have_text("王安全")
    nav = page.locator("#sc-sidenav")
    expect(nav.locator("a.sc-nav-link.active")).to_have_attribute("href", "/")
    expect(nav.locator(".sc-nav-link.disabled .sc-badge-coming").first).to_be_visible()
    page.wait_for_load_state("networkidle")  # the bell fragment has been swapped in
    bell = page.locator(".sc-bell")
    expect(bell.locator(".bi-bell")).to_be_visible()
    page.evaluate("window.SafeCampus.setBellCount(3)")  # what a live `notification` event does
    expect(page.locator("#bell-count")).to_have_text("3")
    page.screenshot(path=SCREENSHOT_DESKTOP, full_page=True)

    page.locator("#sc-lang-dark").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(f"{live_server.url}/")
    expect(nav.get_by_role("link", name="Overview")).to_be_visible()
    expect(nav.get_by_text("Coming").first).to_be_visible()
    expect(page.locator(".sc-user-roles")).to_have_text("Bureau safety officer")
    page.screenshot(path="/tmp/shell-en.png", full_page=True)

    _assert_clean(page, log)
    assert any(url.endswith("/static/js/app.js") for url in log.requests)


def test_phone_navigation_opens_as_offcanvas(phone, live_server, safety_officer):
    page, log = phone
    _sign_in(page, live_server, safety_officer)

    nav = page.locator("#sc-sidenav")
    expect(nav).to_be_hidden()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=SCREENSHOT_PHONE_HOME, full_page=True)
    page.locator("button[aria-controls=sc-sidenav]").click()
    expect(nav).to_have_class(re.compile(r"(^|\s)show(\s|$)"))  # opened, transition over
    expect(nav.locator("a.sc-nav-link.active")).to_be_visible()
    page.screenshot(path=SCREENSHOT_PHONE)

    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    _assert_clean(page, log)


def test_sign_out_is_a_post_and_returns_to_login(desktop, live_server, safety_officer):
    page, log = desktop
    _sign_in(page, live_server, safety_officer)

    page.locator(".sc-user-btn").click()
    page.locator(".sc-user-menu button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    _assert_clean(page, log)


def test_first_sign_in_sets_up_the_authenticator(phone, live_server, district):
    """A bureau officer without a device scans the QR code (or types the key) and confirms."""
    page, log = phone
    newcomer = UserFactory(username="newcomer", full_name="孙新人")
    MembershipFactory(user=newcomer, unit=district.safety_section, role=Role.BUREAU_STAFF)
    _submit_password(page, live_server, newcomer)

    expect(page.locator(".sc-qr img")).to_be_visible()
    page.screenshot(path="/tmp/shell-2fa-setup.png", full_page=True)
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    page.locator("#id_token").fill(str(totp(key)).zfill(6))
    page.locator("form.sc-auth-form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/")
    assert TOTPDevice.objects.get(user=newcomer).confirmed
    _assert_clean(page, log)


def test_a_missing_page_is_friendly(desktop, live_server, db):
    page, log = desktop
    response = page.goto(f"{live_server.url}/no-such-page/")

    assert response.status == 404
    expect(page.locator(".sc-error-code")).to_contain_text("404")
    expect(page.locator(".sc-error a.btn")).to_have_attribute("href", "/")
    page.screenshot(path="/tmp/shell-404.png")
    assert log.foreign_requests() == []
    assert log.csp_violations(page) == []
    # The browser reports the 404 of the page itself; anything else would be a fault.
    assert [e for e in log.console_errors if "404" not in e] == []


HOOKS_FRAGMENT = """
<div class="row g-3 mt-1" id="hooks">
  <div class="col-lg-6"><div class="sc-chart sc-chart-sm" data-chart="t-chart"></div></div>
  <div class="col-lg-6"><div class="sc-map" data-map="t-map" data-map-height="260"></div></div>
  <a id="t-confirm" href="/?confirmed=1" data-confirm="Really?">go</a>
</div>
<script type="application/json" id="t-chart">{"tooltip": {"trigger": "axis"},
  "xAxis": {"type": "category", "data": ["A", "B"]}, "yAxis": {"type": "value"},
  "series": [{"type": "bar", "data": [3, 5], "itemStyle": {"color": "var(--sc-level-2)"}}]}</script>
<script type="application/json" id="t-map">{"markers": [
  {"lat": 31.81, "lng": 119.97, "label": "School A", "level": 1, "url": "/"},
  {"lat": 31.83, "lng": 119.99, "label": "School B", "level": 4}]}</script>
"""


def test_js_hooks_charts_maps_confirm_and_live_stream(desktop, live_server, safety_officer):
    """The data-* hooks of app.js on a real page, under the real CSP."""
    page, log = desktop
    _sign_in(page, live_server, safety_officer)
    page.wait_for_load_state("networkidle")

    # Live stream: a same-origin SSE answered by the test.
    page.route(
        "**/test-stream/",
        lambda route: route.fulfill(
            status=200,
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"},
            body='retry: 60000\nevent: notification\ndata: {"unread": 5, "title": "新线索"}\n\n',
        ),
    )
    page.evaluate(
        """() => { window.__bell = [];
        document.addEventListener('safecampus:notification',
          () => window.__bell.push(document.getElementById('bell-count').textContent));
        window.SafeCampus.connectStream('/test-stream/'); }"""
    )
    expect(page.locator(".sc-toast")).to_contain_text("新线索")
    assert page.evaluate("window.__bell")[:1] == ["5"]

    # Charts and maps, swapped in by htmx as a fragment would be.
    page.evaluate("(html) => htmx.swap('#main', html, {swapStyle: 'beforeend'})", HOOKS_FRAGMENT)
    expect(page.locator("[data-chart=t-chart] canvas")).to_be_visible()
    expect(page.locator("[data-map=t-map].leaflet-container")).to_be_visible()
    expect(page.locator("[data-map=t-map] path.leaflet-interactive")).to_have_count(2)
    expect(page.locator("[data-map=t-map] .leaflet-control-scale")).to_be_visible()
    page.mouse.wheel(0, -5000)  # a full-page shot taken while scrolled repeats the sticky bar
    page.screenshot(path="/tmp/shell-hooks.png", full_page=True)

    # data-confirm: nothing happens until the dialog is answered.
    page.locator("#t-confirm").click()
    dialog = page.locator("#sc-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Really?")
    expect(page).not_to_have_url(re.compile("confirmed"))
    dialog.locator(".btn-primary").click()
    expect(page).to_have_url(re.compile(r"\?confirmed=1$"))

    _assert_clean(page, log)
