"""The app's registration: its label and what it tells the attachments kernel on start."""

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionsConfig(AppConfig):
    name = "safecampus.inspections"
    label = "inspections"
    verbose_name = _("Inspections and rectification")

    def ready(self) -> None:
        # Imported here: models cannot be imported before the app registry is ready.
        from safecampus.attachments.owners import register_owner
        from safecampus.inspections.models import Inspection, InspectionAnswer

        def answers_visible_to(user: Any) -> Any:
            """An answer's photos are visible exactly when its inspection is."""
            return InspectionAnswer.objects.filter(
                inspection__in=Inspection.objects.visible_to(user)
            )

        register_owner(InspectionAnswer, visible=answers_visible_to)
