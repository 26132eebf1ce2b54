"""The REST layer's shared pieces: registers the token scheme in the OpenAPI schema."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safecampus.api"
    label = "api"

    def ready(self) -> None:
        from safecampus.api import schema  # noqa: F401  (registers the token scheme)
