from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "safecampus.dashboard"
    label = "dashboard"
