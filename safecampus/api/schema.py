"""OpenAPI: the token scheme, and who may call each endpoint, read from its ``access`` rule."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema


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
