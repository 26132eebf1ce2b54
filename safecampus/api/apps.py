from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "safecampus.api"
    label = "api"
