from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safecampus.accounts"
    label = "accounts"
