"""OpenAPI: the token and device schemes, who may call each endpoint (read from its
``access`` rule), a tag per module, and the error answers every operation can give."""

from __future__ import annotations

from typing import Any

from django import forms
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

#: The tag of an operation, by the URL segment after /api/v1/.
_TAG_OF_SEGMENT = {
    "leads": "leads",
    "lead-categories": "leads",
    "public": "public",
    "alerts": "security",
    "security": "security",
    "ingest": "devices",
    "inspections": "inspections",
    "inspection-templates": "inspections",
    "inspection-plans": "inspections",
    "hazards": "inspections",
    "rectifications": "inspections",
    "evaluation": "inspections",
    "accountability-decisions": "inspections",
    "audit-events": "audit",
}

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every refusal: a translated message, often a stable code.",
    "properties": {
        "detail": {"type": "string", "description": "A translated message for people."},
        "code": {"type": "string", "description": "A stable code for programs."},
        "errors": {
            "type": "object",
            "additionalProperties": {},
            "description": "400 only: the messages by field.",
        },
    },
    "required": ["detail"],
}

#: What each error status means when a view says nothing more specific.
_ERROR_TEXT = {
    400: "Bad input: a parameter or body field out of range, unknown or missing (`errors`), "
    "or a body that is not a JSON object.",
    401: "No credentials, or a wrong, revoked or expired token or session.",
    403: "The caller's role may not do this, or the workflow does not let this caller.",
    404: "No such record in the caller's scope (or no such page).",
}
#: Answered by gunicorn before the app sees the request, as an HTML page.
_URI_TOO_LONG = {"description": "The request line is longer than the server takes (4,094 bytes)."}


def form_parameters(form_class: type[forms.Form]) -> list[OpenApiParameter]:
    """Query parameters in the schema from a filter form the endpoint validates with, typed
    as the form reads them (choices that come from the database stay plain strings)."""
    found = []
    for name, field in form_class.base_fields.items():
        kind: Any = OpenApiTypes.STR
        enum = None
        if isinstance(field, forms.DateField):
            kind = OpenApiTypes.DATE
        elif isinstance(field, forms.BooleanField):
            kind = OpenApiTypes.BOOL
        elif isinstance(field, forms.ChoiceField) and field.choices:
            choices: Any = field.choices
            enum = list(dict.fromkeys(str(v) for v, _label in choices if v != ""))
        found.append(OpenApiParameter(name, kind, enum=enum or None))
    return found


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "safecampus.api.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`; issue one with `manage.py api_token <username>`.",
        }


class AccessAwareSchema(AutoSchema):
    """Every operation says who may call it: the same rule object that guards the view."""

    def get_description(self) -> str:  # type: ignore[override]
        description = super().get_description() or ""
        access = getattr(self.view, "access", None)
        if access is None:
            return description
        if access.kind == "roles":
            who = "Roles: " + ", ".join(sorted(access.roles))
        elif access.kind == "authenticated":
            who = "Any signed-in user"
        else:
            who = "Public"
        return f"{description}\n\n**Who may call:** {who}.".strip()

    def get_extensions(self) -> dict[str, Any]:  # type: ignore[override]
        access = getattr(self.view, "access", None)
        extensions: dict[str, Any] = dict(super().get_extensions() or {})
        if access is not None:
            extensions["x-access"] = {"kind": access.kind, "roles": sorted(access.roles)}
        return extensions

    def get_tags(self) -> list[str]:
        segment = self.path.removeprefix("/api/v1/").split("/", 1)[0]
        if segment.startswith("risk") or segment == "seasonal-risks":
            return ["risk"]
        return [_TAG_OF_SEGMENT.get(segment, "organisations")]


def _error_codes(path: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses the operation can answer, from what it takes and who may call."""
    access = operation.get("x-access", {"kind": "public"})
    codes: set[int] = set()
    if access["kind"] != "public":
        codes |= {401, 403}  # 403 also for a session that has not passed its second factor
    if operation.get("parameters") or operation.get("requestBody"):
        codes.add(400)
    paged = any(p["name"] == "page" for p in operation.get("parameters", []))
    if "{" in path or paged:
        codes.add(404)
    return codes


def _bound_paging(parameters: list[dict[str, Any]]) -> None:
    for parameter in parameters:
        if parameter["in"] == "query" and parameter["name"] in ("page", "page_size"):
            parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
        if parameter["in"] == "path" and parameter["schema"].get("type") == "integer":
            # The URL takes digits only; the database holds signed 64-bit ids.
            parameter["schema"].update(minimum=0, maximum=2**63 - 1)


def _says_nothing(response: dict[str, Any]) -> bool:
    """No body, or only "some object" (a view's ``responses={404: dict}``)."""
    schemas = [media.get("schema") for media in response.get("content", {}).values()]
    return all(
        schema in (None, {"type": "object", "additionalProperties": {}}) for schema in schemas
    )


def document_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Postprocessing hook: one ``Error`` component; every operation lists the error
    statuses it can give (a view's own description wins), each with that body."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    error_body = {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}
    }
    for path, item in result.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            _bound_paging(operation.get("parameters", []))
            responses = operation.setdefault("responses", {})
            for code in _error_codes(path, operation):
                responses.setdefault(str(code), {"description": _ERROR_TEXT[code]})
            if operation.get("parameters"):
                responses.setdefault("414", _URI_TOO_LONG)
            for code, response in responses.items():
                if code.startswith("4") and code != "414" and _says_nothing(response):
                    response["content"] = error_body
    result["paths"].update(device_paths())
    result["components"].setdefault("securitySchemes", {}).update(DEVICE_SCHEMES)
    return result


DEVICE_SCHEMES = {
    "deviceAuth": {
        "type": "apiKey",
        "in": "header",
        "name": "Authorization",
        "description": "`Device <device code>:<secret>`, the secret `device_add` printed once.",
    },
    "deviceBasic": {"type": "http", "scheme": "basic", "description": "Device code : secret."},
    "deviceDigest": {
        "type": "http",
        "scheme": "digest",
        "description": "RFC 7616, MD5, qop=auth; user = device code, password = its secret.",
    },
}


def device_paths() -> dict[str, Any]:
    """The two device routes: plain Django views (no user, no session) written out here."""
    answer = {"type": "object", "additionalProperties": {}}
    events = {
        "post": {
            "operationId": "ingest_events",
            "tags": ["devices"],
            "summary": "Events from one device (generic JSON)",
            "description": "One event (an object) or a batch (an array of at most 1,000). "
            "A device authenticates, not a user; the fuzzer leaves this route to the "
            "ingest tests.",
            "security": [{"deviceAuth": []}],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": {}}},
            },
            "responses": {
                "202": {
                    "description": "Counts: accepted, duplicates, rejected (index, reason).",
                    "content": {"application/json": {"schema": answer}},
                },
                "400": {"description": "Not JSON, or no events."},
                "401": {"description": "Unknown device or wrong secret."},
                "413": {"description": "Body over 16 MB or over 1,000 events."},
            },
        }
    }
    hikvision = {
        "post": {
            "operationId": "ingest_hikvision",
            "tags": ["devices"],
            "summary": "Hikvision ISAPI event notifications",
            "description": "The device's alarm-host address. XML, JSON or multipart with "
            "pictures; answers are ISAPI ResponseStatus documents. A device authenticates "
            "(Digest, Basic or `Device`), and only for the code in the path.",
            "security": [{"deviceDigest": []}, {"deviceBasic": []}, {"deviceAuth": []}],
            "parameters": [
                {
                    "name": "code",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string"},
                    "description": "Device code.",
                }
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/xml": {"schema": {}},
                    "application/json": {"schema": {}},
                    "multipart/form-data": {"schema": {}},
                },
            },
            "responses": {
                str(status): {"description": text}
                for status, text in (
                    (200, "Stored (or already stored)."),
                    (400, "A body the parser refused (the reason in the answer)."),
                    (401, "Missing or wrong credential; a Digest challenge."),
                    (403, "Another device's path."),
                    (413, "Body or picture too large."),
                )
            },
        }
    }
    return {"/api/v1/ingest/events": events, "/api/v1/ingest/hikvision/{code}": hikvision}
