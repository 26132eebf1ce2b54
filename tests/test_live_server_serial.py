"""live_server on SQLite's in-memory test database: each server thread opens its own
connection to that shared-cache database, whose table locks do not wait, so two requests
at once broke each other ("database table is locked", "cannot open savepoint" — a CI
flake, 2026-12-07). The root conftest serves one request at a time there; on PostgreSQL
the server stays threaded and this test checks the same thing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.conf import settings

from conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_audited_requests_through_live_server_all_succeed(
    live_server, client, district, principal_a
):
    login(client, principal_a)
    cookie = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    # Each export writes an audit row in a transaction; the home page reads many tables.
    paths = ["/security/alerts/export.csv", "/", "/security/alerts/export.csv", "/healthz"] * 15

    def fetch(path: str) -> int:
        return requests.get(f"{live_server.url}{path}", cookies=cookie, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(fetch, paths))
    assert statuses == [200] * len(paths), statuses
