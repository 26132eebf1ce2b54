"""The side menu is kept in process memory per (roles, language, page): it must never show
one reader's menu to a reader with other roles, in another language, or on another page."""

from __future__ import annotations

import re

import pytest

from conftest import login
from safecampus.dashboard.templatetags import navigation

pytestmark = pytest.mark.django_db


def _menu(client, path: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(path)
    assert response.status_code == 200
    found = re.search(r'<nav class="offcanvas-lg[^"]*".*?</nav>', response.content.decode(), re.S)
    assert found is not None
    return found.group(0)


def _fresh(client, path: str, language: str) -> str:
    navigation._kept.clear()
    return _menu(client, path, language)


def test_each_role_set_language_and_page_gets_its_own_menu(client, safety_officer, teacher_a):
    cases = [
        (user, path, language)
        for user in (safety_officer, teacher_a)
        for path in ("/", "/leads/")
        for language in ("zh-hans", "en")
    ]
    expected = {}
    for user, path, language in cases:  # each drawn with nothing kept
        login(client, user)
        expected[user.pk, path, language] = _fresh(client, path, language)
    navigation._kept.clear()
    for user, path, language in cases + cases[::-1]:  # then each after all the others
        login(client, user)
        assert _menu(client, path, language) == expected[user.pk, path, language]
    # The cases do differ: by role, by language, by the page marked current.
    officer_home, teacher_home = (expected[u.pk, "/", "en"] for u in (safety_officer, teacher_a))
    assert "Responsibility" in officer_home
    assert "Responsibility" not in teacher_home
    assert "Modules" in officer_home
    assert "Modules" not in expected[safety_officer.pk, "/", "zh-hans"]
    leads_link = re.compile(r'<a href="/leads/"\s+class="sc-nav-link active"')
    assert leads_link.search(expected[safety_officer.pk, "/leads/", "en"])
    assert not leads_link.search(officer_home)


def test_the_kept_menus_are_bounded(client, safety_officer, monkeypatch):
    monkeypatch.setattr(navigation, "MAX_KEPT", 2)
    navigation._kept.clear()
    login(client, safety_officer)
    for path in ("/", "/leads/", "/leads/statistics/", "/"):
        _menu(client, path, "en")
        assert len(navigation._kept) <= 2
