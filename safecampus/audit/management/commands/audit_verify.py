"""`manage.py audit_verify`: check the whole audit chain."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from safecampus.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Verify the audit trail: exit 0 when it holds, 1 with every break found. "
        "--checkpoints also compares the heads written outside the database "
        "(AUDIT_CHECKPOINT_FILE, or --checkpoint-file for a copy kept elsewhere)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints", action="store_true", help="compare with AUDIT_CHECKPOINT_FILE"
        )
        parser.add_argument(
            "--checkpoint-file", type=Path, help="compare with this checkpoint file instead"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["checkpoint_file"]
        if path is None and options["checkpoints"]:
            path = settings.AUDIT_CHECKPOINT_FILE
        report = audit_verify(checkpoint_file=path)
        compared = ""
        if path is not None:
            compared = " " + ngettext(
                "%(n)s external checkpoint compared.",
                "%(n)s external checkpoints compared.",
                report.checkpoints,
            ) % {"n": report.checkpoints}
        if report.ok:
            message = _("Audit chain intact: %(n)s rows verified.") % {"n": report.checked}
            self.stdout.write(self.style.SUCCESS(message + compared))
            return
        for finding in report.findings:
            where = (
                _("row %(id)s") % {"id": finding.row_id}
                if finding.row_id is not None
                else _("trail")
            )
            self.stderr.write(f"{where}: {finding.message}")
        summary = ngettext(
            "Audit chain BROKEN: %(n)s finding, %(rows)s rows read.",
            "Audit chain BROKEN: %(n)s findings, %(rows)s rows read.",
            len(report.findings),
        ) % {
            "n": len(report.findings),
            "rows": report.checked,
        }
        self.stderr.write(summary + compared)
        sys.exit(1)
