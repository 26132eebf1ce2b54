from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safecampus.core"
    label = "core"
