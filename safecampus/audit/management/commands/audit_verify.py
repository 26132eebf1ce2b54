from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand

from safecampus.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the audit hash chain: exit 0 when it holds, 1 with the first broken row."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_verify()
        if report.ok:
            self.stdout.write(
                self.style.SUCCESS(f"Audit chain intact: {report.checked} rows verified.")
            )
            return
        self.stderr.write(
            f"Audit chain BROKEN at row {report.broken_id}: {report.reason} "
            f"({report.checked} rows verified before it)."
        )
        sys.exit(1)
