"""The accounts app: the user model, login security, TOTP and API tokens."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "safecampus.accounts"
    label = "accounts"
