"""The notifications app: wires the inbox stream and the outbox's after-commit delivery."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safecampus.notifications"
    label = "notifications"

    def ready(self) -> None:
        from safecampus.notifications import checks  # noqa: F401  (registers the deploy check)
        from safecampus.notifications.live import InboxSource
        from safecampus.notifications.services import outbox_delivery_starter
        from safecampus.notifications.tasks import outbox_deliver_task
        from safecampus.stream.broker import USER_CHANNEL_PREFIX, register_source

        register_source(USER_CHANNEL_PREFIX, InboxSource())
        outbox_delivery_starter(outbox_deliver_task)
