"""Remove stored attachment files that no row names (left by rolled-back transactions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from safecampus.attachments.services import attachment_orphans_sweep


class Command(BaseCommand):
    help = "Remove attachment files without a database row, older than a grace period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=int, default=24)
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args: Any, older_than_hours: int, dry_run: bool, **options: Any) -> None:
        names = attachment_orphans_sweep(
            older_than=timedelta(hours=older_than_hours), dry_run=dry_run
        )
        for name in names:
            self.stdout.write(name)
        message = (
            _("%(count)d orphaned files would be removed.")
            if dry_run
            else _("%(count)d orphaned files removed.")
        )
        self.stdout.write(message % {"count": len(names)})
