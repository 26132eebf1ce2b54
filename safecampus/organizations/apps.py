"""The register's app: every change to units, schools or memberships moves the cache version."""

from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "safecampus.organizations"
    label = "organizations"

    def ready(self) -> None:
        # A cache concern, not a domain step: signals are the right tool here (STYLE.md §5).
        from django.db.models.signals import post_delete, post_save

        from safecampus.organizations.cache import register_changed
        from safecampus.organizations.models import Membership, School, Unit

        for model in (Unit, School, Membership):
            uid = f"register-{model.__name__}"
            post_save.connect(register_changed, sender=model, dispatch_uid=f"{uid}-saved")
            post_delete.connect(register_changed, sender=model, dispatch_uid=f"{uid}-deleted")
