from django.apps import AppConfig


class CasetypeConfig(AppConfig):
    """A small case type that exists only in tests, to prove the kernel without a feature."""

    name = "safecampus.cases.tests.casetype"
    label = "casetype"
