"""The OpenAPI schema says what the API does: shapes, errors, tags, who authenticates."""

from __future__ import annotations

import pytest

from conftest import login

pytestmark = pytest.mark.django_db

ERROR_REF = {"$ref": "#/components/schemas/Error"}


@pytest.fixture
def schema(client, teacher_a):
    login(client, teacher_a)
    return client.get("/api/v1/schema/").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_anonymous_callers_get_401_for_the_schema(client):
    answer = client.get("/api/v1/schema/")
    assert answer.status_code == 401 and set(answer.json()) == {"detail"}


def test_paginated_risk_lists_are_objects_in_the_schema(schema):
    ok = schema["paths"]["/api/v1/risk-items/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PaginatedRiskItemList"
    }
    grades = schema["paths"]["/api/v1/risk-grades/"]["get"]["responses"]["200"]
    ref = grades["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][ref]["properties"]) == {"month", "count", "results"}


def test_every_operation_documents_its_errors_with_the_error_body(schema):
    for path, method, operation in _operations(schema):
        if path.startswith("/api/v1/ingest/"):
            continue
        responses = operation["responses"]
        if operation["x-access"]["kind"] != "public":
            assert {"401", "403"} <= set(responses), (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert "400" in responses, (method, path)
        if "{" in path:
            assert "404" in responses, (method, path)
        for code in ("400", "401", "403", "404", "409"):
            if code in responses:
                body = responses[code]["content"]["application/json"]["schema"]
                assert body == ERROR_REF or code == "400", (method, path, code)
    portal = schema["paths"]["/api/v1/public/leads/"]["post"]["responses"]
    assert {"400", "428", "429"} <= set(portal)
    assert "409" in schema["paths"]["/api/v1/leads/{reference}/actions/"]["post"]["responses"]


def test_query_parameters_carry_the_bounds_the_endpoint_enforces(schema):
    parameters = {
        p["name"]: p["schema"] for p in schema["paths"]["/api/v1/inspections/"]["get"]["parameters"]
    }
    assert parameters["year"] == {"type": "integer", "minimum": 1900, "maximum": 2100}
    warnings = schema["paths"]["/api/v1/risk-warnings/"]["get"]["parameters"]
    notice = next(p["schema"] for p in warnings if p["name"] == "notice")
    assert notice["minimum"] == 1 and notice["maximum"] == 2**63 - 1


def test_operations_are_tagged_by_module_in_two_languages(schema):
    tags = {tag["name"]: tag["description"] for tag in schema["tags"]}
    assert set(tags) == {
        "leads",
        "public",
        "security",
        "devices",
        "inspections",
        "risk",
        "organisations",
        "audit",
    }
    assert tags["risk"].startswith("风险预警 · ")
    tag_of = {(path, method): op["tags"] for path, method, op in _operations(schema)}
    assert tag_of[("/api/v1/leads/", "get")] == ["leads"]
    assert tag_of[("/api/v1/alerts/", "get")] == ["security"]
    assert tag_of[("/api/v1/hazards/", "get")] == ["inspections"]
    assert tag_of[("/api/v1/seasonal-risks/", "get")] == ["risk"]
    assert tag_of[("/api/v1/schools/", "get")] == ["organisations"]
    assert tag_of[("/api/v1/audit-events/", "get")] == ["audit"]
    assert all(tags != ["api"] for tags in tag_of.values())


def test_device_routes_say_devices_authenticate(schema):
    events = schema["paths"]["/api/v1/ingest/events"]["post"]
    assert events["security"] == [{"deviceAuth": []}] and events["tags"] == ["devices"]
    hikvision = schema["paths"]["/api/v1/ingest/hikvision/{code}"]["post"]
    assert {"deviceDigest": []} in hikvision["security"]
    assert schema["components"]["securitySchemes"]["deviceDigest"]["scheme"] == "digest"
