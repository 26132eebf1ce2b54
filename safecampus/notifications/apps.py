from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "safecampus.notifications"
    label = "notifications"
