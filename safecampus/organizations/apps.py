from django.apps import AppConfig


class OrganizationsConfig(AppConfig):
    name = "safecampus.organizations"
    label = "organizations"
