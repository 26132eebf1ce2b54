"""A permission matrix generated from the URL configuration.

Every route must declare who may call it. Then, for every route: anonymous
callers go to the login page (pages) or get 401 (API); a signed-in person with
none of the route's roles gets 403; another school's object is a 404; and a
refused request changes nothing in the database.
"""

from __future__ import annotations

import json
import uuid

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, UUIDConverter

from conftest import login
from safecampus.core.access import Access
from safecampus.organizations.models import Membership

EXEMPT_PREFIXES = ("static/",)


def _routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        if isinstance(item, URLResolver):
            yield from _routes(item, prefix + str(item.pattern))
        elif isinstance(item, URLPattern):
            yield prefix + str(item.pattern), item


def _access(pattern: URLPattern) -> Access | None:
    callback = pattern.callback
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    declared = getattr(view_class, "access", None) if view_class else None
    return declared or getattr(callback, "access", None)


def _converters(pattern: URLPattern) -> dict:
    return getattr(pattern.pattern, "converters", {})


ROUTES = [(route, pattern) for route, pattern in _routes() if not route.startswith(EXEMPT_PREFIXES)]
PRIVATE = [(r, p) for r, p in ROUTES if getattr(_access(p), "kind", None) != "public"]
ROLE_BOUND = [(r, p) for r, p in ROUTES if getattr(_access(p), "kind", None) == "roles"]


def test_every_route_declares_access():
    missing = [route for route, pattern in ROUTES if not isinstance(_access(pattern), Access)]
    assert missing == []


def _url(route: str, pattern: URLPattern, samples: dict[str, str]) -> str:
    path = route
    for name, converter in _converters(pattern).items():
        if name in samples:
            value = samples[name]
        elif isinstance(converter, UUIDConverter):
            value = str(uuid.uuid4())
        elif isinstance(converter, IntConverter):
            value = "999999"
        else:
            value = "X-0"
        path = path.replace(f"<{_token(path, name)}>", value)
    return "/" + path.replace("^", "").replace("$", "")


def _token(path: str, name: str) -> str:
    start = path.index("<")
    while True:
        end = path.index(">", start)
        token = path[start + 1 : end]
        if token.split(":")[-1] == name:
            return token
        start = path.index("<", end)


def _snapshot() -> dict[str, int]:
    skip = {
        "audit.auditevent",
        "audit.auditchainhead",
        "sessions.session",
        "axes.accessattempt",
        "axes.accesslog",
        "axes.accessfailurelog",
        "accounts.apitoken",
    }
    return {
        m._meta.label_lower: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label_lower not in skip and not m._meta.proxy and m._meta.managed
    }


@pytest.fixture
def people(safety_officer, officer_a, teacher_a, officer_b, police_liaison, auditor, outsider):
    return [safety_officer, officer_a, teacher_a, officer_b, police_liaison, auditor, outsider]


@pytest.fixture
def samples(district, officer_a):
    membership = Membership.objects.get(user=officer_a)
    return {"code": district.school_a.code, "pk": str(membership.pk)}


@pytest.mark.django_db
@pytest.mark.parametrize("route,pattern", PRIVATE, ids=[r for r, _ in PRIVATE])
def test_anonymous_is_sent_to_login_or_refused(client, route, pattern, samples):
    url = _url(route, pattern, samples)
    before = _snapshot()
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        if url.startswith("/api/"):
            assert response.status_code == 401, (method, url)
            assert "detail" in json.loads(response.content)
        else:
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith("/accounts/login/")
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("route,pattern", ROLE_BOUND, ids=[r for r, _ in ROLE_BOUND])
def test_people_without_the_role_get_403_and_change_nothing(
    client, route, pattern, people, samples
):
    access = _access(pattern)
    url = _url(route, pattern, samples)
    refused = [p for p in people if not (access.roles & p.roles)]
    assert refused, "every persona holds the role: the matrix proves nothing"
    before = _snapshot()
    for person in refused:
        login(client, person)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 403, (person.username, method, url)
        client.logout()
    assert _snapshot() == before


@pytest.mark.django_db
@pytest.mark.parametrize("route,pattern", PRIVATE, ids=[r for r, _ in PRIVATE])
def test_permitted_people_get_through(client, route, pattern, people, samples):
    """The rule is not "deny everyone": someone holding the role passes the gate."""
    access = _access(pattern)
    allowed = [p for p in people if access.allows(p)]
    assert allowed, f"no persona may call {route}"
    login(client, allowed[0])
    url = _url(route, pattern, samples)
    response = client.get(url)
    known = all(name in samples for name in _converters(pattern))
    expected = {200, 405} if known else {200, 404, 405}
    assert response.status_code in expected, (allowed[0].username, url, response.status_code)


@pytest.mark.django_db
def test_another_schools_object_is_404(client, officer_b, officer_a, district):
    login(client, officer_b)
    assert client.get(f"/organizations/schools/{district.school_a.code}/").status_code == 404
    assert client.get(f"/api/v1/schools/{district.school_a.code}/").status_code == 404
    assert client.get(f"/organizations/schools/{district.school_b.code}/").status_code == 200


@pytest.mark.django_db
def test_unknown_role_sees_nothing(client, outsider, district):
    login(client, outsider)
    assert client.get("/organizations/schools/").status_code == 403
    assert client.get("/api/v1/me/").json()["roles"] == []
    assert client.get("/api/v1/schools/").status_code == 403
