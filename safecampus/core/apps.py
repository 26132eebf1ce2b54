"""The core app: registers the start-up checks of settings and keys."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safecampus.core"
    label = "core"

    def ready(self) -> None:
        from safecampus.core import checks  # noqa: F401  (registers the start-up checks)
