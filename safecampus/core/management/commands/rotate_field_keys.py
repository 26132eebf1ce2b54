"""Re-seal every encrypted field value with the primary key of ``FIELD_ENCRYPTION_KEYS``.

Rotation: put the new key first and keep the old ones after it, deploy, run this
command, and remove an old key only once no value is left under it. Values are
read and written as raw column text, so a value that cannot be opened is
reported and left untouched rather than breaking the run. Each batch is one
transaction; a value changed by someone else meanwhile is not overwritten.
Running it again finds nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from safecampus.core import crypto
from safecampus.core.fields import EncryptedTextField


@dataclass
class FieldReport:
    label: str
    current: int = 0
    resealed: int = 0
    unreadable: list[Any] = field(default_factory=list)


def encrypted_fields() -> list[tuple[type[models.Model], EncryptedTextField]]:
    """Each table column holding encrypted values, once (proxies and parents' fields skipped)."""
    return [
        (model, f)
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
        for f in model._meta.local_concrete_fields
        if isinstance(f, EncryptedTextField)
    ]


def _batches(model: type[models.Model], column_field: EncryptedTextField, size: int) -> Any:
    quote = connection.ops.quote_name
    table, pk, column = (
        quote(model._meta.db_table),
        quote(model._meta.pk.column),
        quote(column_field.column),
    )
    # Identifiers come from model metadata, never from input.
    base = f"SELECT {pk}, {column} FROM {table} WHERE {column} <> ''"  # noqa: S608
    last: Any = None
    while True:
        with connection.cursor() as cursor:
            if last is None:
                cursor.execute(f"{base} ORDER BY {pk} LIMIT %s", [size])
            else:
                cursor.execute(f"{base} AND {pk} > %s ORDER BY {pk} LIMIT %s", [last, size])
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def rotate_field(
    model: type[models.Model],
    column_field: EncryptedTextField,
    *,
    batch_size: int,
    dry_run: bool,
) -> FieldReport:
    """Re-seal the values of one column that name a key other than the primary one."""
    primary = crypto.keyring().primary_id
    context = column_field.crypto_context
    report = FieldReport(f"{model._meta.label}.{column_field.name}")
    quote = connection.ops.quote_name
    update = (
        f"UPDATE {quote(model._meta.db_table)} SET {quote(column_field.column)} = %s "  # noqa: S608
        f"WHERE {quote(model._meta.pk.column)} = %s AND {quote(column_field.column)} = %s"
    )
    for rows in _batches(model, column_field, batch_size):
        with transaction.atomic(), connection.cursor() as cursor:
            for pk, token in rows:
                try:
                    if crypto.token_key_id(token) == primary:
                        report.current += 1
                        continue
                    fresh = crypto.encrypt(crypto.decrypt(token, context=context), context=context)
                except crypto.DecryptionError:
                    report.unreadable.append(pk)
                    continue
                if not dry_run:
                    cursor.execute(update, [fresh, pk, token])
                    if cursor.rowcount != 1:
                        continue  # rewritten meanwhile, so already under the primary key
                report.resealed += 1
    return report


class Command(BaseCommand):
    help = "Re-encrypt field values sealed with an older key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, dry_run: bool, batch_size: int, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        primary = crypto.keyring().primary_id
        tables = set(connection.introspection.table_names())
        unreadable = 0
        for model, column_field in encrypted_fields():
            if model._meta.db_table not in tables:
                continue  # an app whose migrations have not run yet has nothing to rotate
            report = rotate_field(model, column_field, batch_size=batch_size, dry_run=dry_run)
            unreadable += len(report.unreadable)
            self.stdout.write(self._line(report, primary, dry_run))
            if report.unreadable:
                ids = ", ".join(str(pk) for pk in report.unreadable[:20])
                self.stderr.write(
                    _("Unreadable rows of %(field)s: %(ids)s") % {"field": report.label, "ids": ids}
                )
        if unreadable:
            raise CommandError(
                _("%(count)d values could not be decrypted and were left as they were.")
                % {"count": unreadable}
            )

    @staticmethod
    def _line(report: FieldReport, primary: str, dry_run: bool) -> str:
        values = {
            "field": report.label,
            "resealed": report.resealed,
            "current": report.current,
            "unreadable": len(report.unreadable),
            "key": primary,
        }
        if dry_run:
            text = _(
                "%(field)s: %(resealed)d to re-seal, %(current)d already under key "
                "%(key)s, %(unreadable)d unreadable (dry run)."
            )
        else:
            text = _(
                "%(field)s: %(resealed)d re-sealed, %(current)d already under key "
                "%(key)s, %(unreadable)d unreadable."
            )
        return text % values
