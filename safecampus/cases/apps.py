from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "safecampus.cases"
    label = "cases"
