"""Every page in the navigation, as every demo role, on a phone and a desktop, in Chinese and
English (issue #14): no page may be wider than the screen, log a console error, break
the content security policy, fail a request, show text not in the reader's language
outside user data (``tests/browser/language.py``), or show axe-core (npm, ``node_modules``) a
WCAG 2.1 A/AA violation (信息无障碍: contrast, labels, names, focus order).

The demo district is seeded as ``make run`` seeds it (four schools, leads, inspections,
risk grades), so tables have rows. Each role gets a verified session directly (the sign-in
forms have their own tests; a TOTP code may not be used twice in its window).
"""

from __future__ import annotations

import importlib
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecampus.accounts.middleware import IDLE_STAMP
from safecampus.accounts.models import User
from safecampus.inspections.services.shipped import seed_shipped
from tests.browser.conftest import DESKTOP, PHONE, _open_page
from tests.browser.language import UserData, foreign_text, user_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ["safety", "leader", "inspector", "principal", "officer", "teacher", "guard", "police"]
LANGUAGES = ["zh-hans", "en"]
#: Width a page may exceed the screen by before it counts (sub-pixel rounding).
SLACK_PX = 1
#: axe-core from the npm packages ``make setup`` installs (never a CDN). Evaluated through
#: the DevTools protocol, so the page's strict CSP needs no exception for it.
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
_AXE_RUN = """() => axe.run(document, {runOnly: {type: 'tag',
  values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
  .then(r => r.violations.map(v => v.id + ' (' + v.impact + '): '
    + v.nodes.slice(0, 2).map(n => n.target.join(' ')).join(', ')))"""


def _seed_demo_district() -> None:
    for module in (
        "safecampus.leads.migrations.0002_seed_categories",
        "safecampus.risk.migrations.0002_seed_bands_calendar",
    ):
        importlib.import_module(module).seed(apps, None)
    seed_shipped()
    call_command("seed_demo", "--schools", "4", "--quiet", "--no-devices")
    call_command("seed_demo_leads", "--count", "20")
    call_command("seed_demo_inspections", "--years", "1", "--no-answers")
    call_command("seed_demo_risk", "--months", "2")


def _session_for(user: User) -> str:
    """A signed-in session with the second factor verified, as the sign-in forms leave it."""
    import time

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
    store[IDLE_STAMP] = time.time()
    store.save()
    return str(store.session_key)


def _nav_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "#sc-sidenav a.sc-nav-link[href], #sc-sidenav a.sc-subnav-link[href]",
        "links => links.map(a => a.getAttribute('href'))",
    )
    return sorted({h for h in hrefs if h and h.startswith("/")})


#: The first elements reaching past the screen's right edge, to name the culprit.
_WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'))
  .slice(-3).join(' | ')"""


#: What the reader meets on a page: visible text, the choices of every list, the names and
#: hints given to assistive technology, and the labels charts and maps draw from JSON.
_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  document.querySelectorAll('option').forEach(o => parts.push(o.textContent));
  for (const name of ['placeholder', 'aria-label', 'title', 'alt']) {
    document.querySelectorAll('[' + name + ']').forEach(e => parts.push(e.getAttribute(name)));
  }
  // Chart and map data: the strings they draw (names, labels, category axes), not the
  // settings beside them ({type: 'category'}, {trigger: 'axis'}).
  const shown = new Set(['name', 'text', 'label', 'title', 'detail', 'link_text', 'subtext']);
  const walk = (v, key) => typeof v === 'string' ? (key === null || shown.has(key)) && parts.push(v)
    : Array.isArray(v) ? v.forEach(x => walk(x, null))
    : v && typeof v === 'object' ? Object.entries(v).forEach(([k, x]) => walk(x, k)) : null;
  document.querySelectorAll('script[type="application/json"]').forEach(s => {
    try { walk(JSON.parse(s.textContent), ''); } catch (e) { /* not ours */ }
  });
  // A language's own name in the switcher is in that language (marked lang="…").
  const mine = document.documentElement.lang.slice(0, 2);
  let text = parts.join('\\n');
  document.querySelectorAll('body [lang]').forEach(e => {
    const own = e.textContent.trim();
    if (!e.lang.startsWith(mine) && own) text = text.split(own).join(' ');
  });
  return text;
}"""


def _problems(page, log, path: str, status: int | None, language: str, data: UserData) -> list[str]:
    found = []
    if status is None or status >= 400:
        found.append(f"{path}: answered {status}")
    wide = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if wide[0] > wide[1] + SLACK_PX:
        culprit = page.evaluate(_WIDEST)
        found.append(f"{path}: {wide[0]} px wide on a {wide[1]} px screen ({culprit})")
    found += [f"{path}: {e}" for e in log.console_errors if "/stream/" not in e]
    found += [f"{path}: CSP {v}" for v in log.csp_violations(page)]
    found += [f"{path}: fetched {u}" for u in log.foreign_requests()]
    foreign = foreign_text(page.evaluate(_TEXT), language, data)
    if foreign:
        found.append(f"{path}: not in {language}: " + " | ".join(foreign[:8]))
    page.evaluate(AXE.read_text())
    found += [f"{path}: axe {v}" for v in page.evaluate(_AXE_RUN)]
    log.console_errors.clear()
    return found


def test_every_page_fits_and_runs_clean_for_every_role_size_and_language(
    browser, live_server, settings
):
    assert AXE.is_file(), f"{AXE} missing: run make setup (npm ci installs axe-core)"
    settings.STREAM_URL = ""  # no stream process here: the pages must not try one
    _seed_demo_district()
    data = user_data()
    problems: list[str] = []
    visited = 0
    for username in ROLES:
        user = User.objects.get(username=username)
        session = _session_for(user)
        for viewport in (PHONE, DESKTOP):
            for language in LANGUAGES:
                pages = _open_page(browser, live_server, viewport)
                page, log = next(pages)
                try:
                    page.context.add_cookies(
                        [
                            {"name": "sessionid", "value": session, "url": live_server.url},
                            {"name": "django_language", "value": language, "url": live_server.url},
                        ]
                    )
                    response = page.goto(f"{live_server.url}/")
                    where = f"{username} {viewport['width']}px {language}"
                    problems += [
                        f"{where} {p}"
                        for p in _problems(
                            page, log, "/", response.status if response else None, language, data
                        )
                    ]
                    for path in _nav_links(page):
                        response = page.goto(f"{live_server.url}{path}")
                        visited += 1
                        status = response.status if response else None
                        problems += [
                            f"{where} {p}"
                            for p in _problems(page, log, path, status, language, data)
                        ]
                finally:
                    pages.close()
    assert visited > 100  # every role has pages: the crawl went somewhere
    assert problems == [], "\n".join(problems)
