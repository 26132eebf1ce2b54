"""The audit trail's app: connects the receivers that audit logins and refusals."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "safecampus.audit"
    label = "audit"

    def ready(self) -> None:
        from safecampus.audit import signals  # noqa: F401
