from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "safecampus.security"
    label = "security"
    verbose_name = _("Smart security")

    def ready(self) -> None:
        from safecampus.security.live import (
            ALIAS_PATH,
            CHANNEL_PREFIX,
            ROUTE,
            STREAM_PATH,
            AlertSource,
        )
        from safecampus.stream.app import register_route
        from safecampus.stream.broker import register_source

        register_source(CHANNEL_PREFIX, AlertSource())
        register_route(STREAM_PATH, ROUTE)
        register_route(ALIAS_PATH, ROUTE)  # when a proxy sends /alerts/stream/ straight here
        # The brokers' login files are a copy of the registry: a device deleted by any path
        # (there is no service for it; the shell or a data repair) leaves them after commit.
        from django.db.models.signals import post_delete

        from safecampus.security.models import Device
        from safecampus.security.services.brokers import broker_logins_sync_on_commit

        post_delete.connect(
            lambda **kw: broker_logins_sync_on_commit(),
            sender=Device,
            weak=False,
            dispatch_uid="security.brokers.device_deleted",
        )
