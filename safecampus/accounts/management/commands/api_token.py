"""`manage.py api_token`: issue an API token for a user."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from safecampus.accounts.models import User
from safecampus.accounts.services import api_token_create


class Command(BaseCommand):
    help = "Issue an API token for a user and print it (shown once; only its hash is kept)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="command line")

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        self.stdout.write(api_token_create(actor=None, user=user, name=name))
