"""Playwright driving Debian's Chromium (never a downloaded browser) against live_server.

Every request a page makes is recorded, so a test can prove that nothing leaves the
intranet (no CDN), and console errors, page errors and CSP violations are collected.
Without Chromium the tests are skipped with a loud notice, except under CI=true, where
a missing browser is a failure: a green run must not hide untested pages.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls in the
# test body are still synchronous, so the async-safety guard must stand aside.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

_missing_browser: list[str] = []


def _chromium_path() -> str | None:
    configured = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
    if Path(configured).is_file() and os.access(configured, os.X_OK):
        return configured
    return shutil.which(configured)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _missing_browser:
        return
    terminalreporter.section("BROWSER TESTS SKIPPED", sep="!", red=True, bold=True)
    terminalreporter.write_line(
        f"No Chromium at {_missing_browser[0]}: install Debian's `chromium` package "
        "(apt-get install chromium) or set CHROMIUM_PATH. Never `playwright install`.",
        red=True,
        bold=True,
    )


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = _chromium_path()
    if path is None:
        wanted = os.environ.get("CHROMIUM_PATH") or DEFAULT_CHROMIUM
        message = f"Chromium not found at {wanted} (set CHROMIUM_PATH)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " CI must run the browser tests.", pytrace=False)
        _missing_browser.append(wanted)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@dataclass
class PageLog:
    """What a page did that a test may want to assert on."""

    origin: str
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        """Requests to any host but the live server (data: and blob: stay in the page)."""
        allowed = urlsplit(self.origin).netloc
        return [
            url
            for url in self.requests
            if urlsplit(url).scheme not in {"data", "blob", "about"}
            and urlsplit(url).netloc != allowed
        ]

    def csp_violations(self, page) -> list[str]:
        return list(page.evaluate("window.__cspViolations || []"))


# Installed before any page script: collects CSP violations reported by the browser.
_CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') +
    ' at ' + (e.sourceFile || '') + ':' + (e.lineNumber || ''));
});
"""


def _open_page(browser, live_server, viewport) -> Iterator[tuple[object, PageLog]]:
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.add_init_script(_CSP_LISTENER)
    log = PageLog(origin=live_server.url)
    context.on("request", lambda request: log.requests.append(request.url))
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on(
        "console",
        lambda msg: log.console_errors.append(msg.text) if msg.type == "error" else None,
    )
    page.on("pageerror", lambda error: log.console_errors.append(f"page error: {error}"))
    try:
        yield page, log
    finally:
        context.close()


@pytest.fixture
def desktop(browser, live_server, transactional_db):
    """A desktop-sized page (1366×768) and its log."""
    yield from _open_page(browser, live_server, DESKTOP)


@pytest.fixture
def phone(browser, live_server, transactional_db):
    """A phone-sized page (390×844) and its log."""
    yield from _open_page(browser, live_server, PHONE)


def answer_confirm(page) -> None:
    """Say yes in the shell's confirmation dialog (app.js `data-confirm`). A click that lands
    while Bootstrap is still fading the dialog in can be lost on a loaded machine, so the
    answer is given again until the dialog closes (the page then submits once)."""
    from playwright.sync_api import expect

    dialog = page.locator("#sc-confirm")
    expect(dialog).to_be_visible()
    yes = dialog.locator(".modal-footer .btn").last
    for _attempt in range(3):
        if not dialog.is_visible():
            return
        yes.click()
        try:
            expect(dialog).to_be_hidden(timeout=3_000)
            return
        except AssertionError:
            continue
    raise AssertionError("The confirmation dialog did not close.")
