"""Transport and browser security: Host header, headers, CSP, CSRF, health."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import login


@pytest.mark.django_db
def test_a_foreign_host_header_gets_400(client):
    assert client.get("/accounts/login/", HTTP_HOST="evil.example.com").status_code == 400


@pytest.mark.django_db
def test_security_headers_on_pages(client):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_pages_carry_no_inline_script(client, teacher_a):
    login(client, teacher_a)
    html = client.get("/").content.decode()
    for chunk in html.split("<script")[1:]:
        head = chunk.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head


@pytest.mark.django_db
def test_csrf_is_enforced(teacher_a):
    client = Client(enforce_csrf_checks=True)
    login(client, teacher_a)
    assert client.post("/accounts/logout/").status_code == 403


@pytest.mark.django_db
def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db
def test_language_defaults_to_chinese_and_switches(client):
    page = client.get("/accounts/login/")
    assert page.wsgi_request.LANGUAGE_CODE == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert client.get("/accounts/login/").wsgi_request.LANGUAGE_CODE == "en"


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_the_person_switches(client):
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.wsgi_request.LANGUAGE_CODE == "zh-hans"
    assert page["Content-Language"] == "zh-hans"
