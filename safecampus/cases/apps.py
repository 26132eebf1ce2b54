"""The case kernel's app: registers its start-up checks (each case type's workflow)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "safecampus.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from safecampus.cases import checks  # noqa: F401  (registers the start-up checks)
