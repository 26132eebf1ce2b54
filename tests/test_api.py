from __future__ import annotations

import pytest

from conftest import login
from safecampus.accounts.services import api_token_create, api_token_revoke
from safecampus.organizations.tests.factories import SchoolFactory


@pytest.fixture
def token(safety_officer):
    return api_token_create(actor=None, user=safety_officer, name="test")


@pytest.mark.django_db
def test_school_list_paginates_filters_and_stays_flat(client, token, django_assert_num_queries):
    for _ in range(5):
        SchoolFactory(school_kind="kindergarten")
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    with django_assert_num_queries(5):  # token, scope, count, page, token last-used stamp
        response = client.get("/api/v1/schools/", {"page_size": 3}, **headers)
    body = response.json()
    assert body["count"] == 7 and len(body["results"]) == 3 and body["next"]
    kinds = client.get("/api/v1/schools/", {"school_kind": "kindergarten"}, **headers).json()
    assert kinds["count"] == 5
    first = client.get("/api/v1/schools/XB-001/", **headers).json()
    assert first["police_station"] == {"code": "GA-SJ", "name": "三井派出所"}


@pytest.mark.django_db
def test_errors_are_detail_objects(client, token):
    bad = client.get("/api/v1/schools/", HTTP_AUTHORIZATION="Token nope")
    assert bad.status_code == 401 and set(bad.json()) == {"detail"}
    missing = client.get("/api/v1/schools/XB-999/", HTTP_AUTHORIZATION=f"Token {token}")
    assert missing.status_code == 404 and set(missing.json()) == {"detail"}
    wrong_page = client.get("/api/v1/schools/", {"page": 99}, HTTP_AUTHORIZATION=f"Token {token}")
    assert wrong_page.status_code == 404 and set(wrong_page.json()) == {"detail"}


@pytest.mark.django_db
def test_a_revoked_token_stops_working(client, safety_officer, token):
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200
    api_token_revoke(actor=safety_officer, token=safety_officer.api_tokens.get())
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 401


@pytest.mark.django_db
def test_schema_is_openapi_and_lists_the_endpoints(client, teacher_a):
    login(client, teacher_a)
    schema = client.get("/api/v1/schema/").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/schools/", "/api/v1/me/", "/api/v1/audit-events/"} <= set(schema["paths"])


@pytest.mark.django_db
def test_me_describes_the_caller(client, officer_a):
    login(client, officer_a)
    assert client.get("/api/v1/me/").json() == {
        "username": "officer_a",
        "full_name": "李专人",
        "roles": ["school_officer"],
        "units": ["XB-001"],
    }


@pytest.mark.django_db
def test_docs_page_uses_no_cdn(client, teacher_a):
    login(client, teacher_a)
    html = client.get("/docs/api/").content.decode()
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html


@pytest.mark.django_db
def test_schema_says_who_may_call_each_endpoint(client, teacher_a):
    login(client, teacher_a)
    schema = client.get("/api/v1/schema/").json()
    audit = schema["paths"]["/api/v1/audit-events/"]["get"]
    assert audit["x-access"] == {"kind": "roles", "roles": ["auditor"]}
    assert "**Who may call:** Roles: auditor." in audit["description"]
    assert schema["paths"]["/api/v1/me/"]["get"]["x-access"] == {
        "kind": "authenticated",
        "roles": [],
    }
    assert "tokenAuth" in schema["components"]["securitySchemes"]


@pytest.mark.django_db
def test_list_rows_have_exactly_the_serializer_shape(client, token, district):
    from safecampus.api.serializers import SchoolSerializer
    from safecampus.organizations.models import School

    SchoolFactory(police_station=None, unit__latitude=None, unit__longitude=None)
    listed = client.get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {token}").json()["results"]
    serialized = SchoolSerializer(School.objects.order_by("unit__code"), many=True).data
    assert listed == [dict(row) for row in serialized]
    assert listed[-1]["police_station"] is None and listed[-1]["latitude"] is None


@pytest.mark.django_db
def test_cached_school_list_follows_edits_and_never_crosses_scopes(client, token, officer_a):
    from safecampus.organizations.models import Unit

    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    first = client.get("/api/v1/schools/", **headers).json()
    Unit.objects.filter(code="XB-001").first().save(update_fields=["name"])  # any save drops it
    unit = Unit.objects.get(code="XB-001")
    unit.name = "新北区实验小学（新校区）"
    unit.save()
    second = client.get("/api/v1/schools/", **headers).json()
    assert first["results"][0]["name"] == "新北区实验小学"
    assert second["results"][0]["name"] == "新北区实验小学（新校区）"
    school_token = api_token_create(actor=None, user=officer_a, name="school")
    own = client.get("/api/v1/schools/", HTTP_AUTHORIZATION=f"Token {school_token}").json()
    assert [s["code"] for s in own["results"]] == ["XB-001"]


@pytest.mark.django_db
def test_token_use_is_stamped_at_most_once_a_minute_and_inactive_owners_are_refused(
    client, safety_officer, token
):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/me/", **headers)
    stamped = safety_officer.api_tokens.get().last_used_at
    assert stamped == start
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        client.get("/api/v1/me/", **headers)
    assert safety_officer.api_tokens.get().last_used_at == start
    with time_machine.travel(start + timedelta(seconds=90), tick=False):
        client.get("/api/v1/me/", **headers)
    assert safety_officer.api_tokens.get().last_used_at == start + timedelta(seconds=90)
    safety_officer.is_active = False
    safety_officer.save(update_fields=["is_active"])
    assert client.get("/api/v1/me/", **headers).status_code == 401
