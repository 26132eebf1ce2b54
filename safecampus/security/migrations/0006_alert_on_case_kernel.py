"""Alerts become kernel cases: the kernel's columns, filled for the alerts already stored.

``unit`` is the school, ``title`` the subject (else the event type), ``reference``
``ALERT-<id>`` (new alerts get the kernel's ``ALERT-<year>-<id>``; the two never collide),
``closed_at`` the disposal time. Each is one set-based UPDATE, not a loop over the rows.
An open critical alert not yet escalated gets its acknowledgement deadline (there are at
most a minute's worth: the old sweep escalated the rest). Reversing drops the columns.
"""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Case, F, Value, When
from django.db.models.functions import Cast, Concat, Left

ACK_SECONDS = 60  # the rule's shipped value (core rules: alert_ack_seconds)


def fill(apps, schema_editor):
    Alert = apps.get_model("security", "Alert")
    Alert.objects.update(
        unit_id=F("school_id"),
        title=Case(When(subject="", then=F("event_type")), default=Left("subject", 200)),
        reference=Concat(Value("ALERT-"), Cast("id", models.CharField())),
        closed_at=Case(When(status="disposed", then=F("disposed_at")), default=None),
    )
    ContentType = apps.get_model("contenttypes", "ContentType")
    Deadline = apps.get_model("cases", "Deadline")
    pending = Alert.objects.filter(priority=4, status="open", escalated_at__isnull=True)
    rows = list(pending.values_list("pk", "created_at"))
    if not rows:
        return
    content_type, _created = ContentType.objects.get_or_create(app_label="security", model="alert")
    Deadline.objects.bulk_create(
        Deadline(
            content_type=content_type,
            object_id=pk,
            purpose="alert_ack",
            label="Acknowledge the critical alert",
            started_at=created,
            days=0,
            working_days=False,
            due_at=created + timedelta(seconds=ACK_SECONDS),
        )
        for pk, created in rows
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("organizations", "0002_work_plans"),
        ("security", "0005_device_broker_logins"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="assignee",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="assigned person",
            ),
        ),
        migrations.AddField(
            model_name="alert",
            name="assignee_unit",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organizations.unit",
                verbose_name="assigned unit",
            ),
        ),
        migrations.AddField(
            model_name="alert",
            name="closed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="closed at"
            ),
        ),
        migrations.AddField(
            model_name="alert",
            name="lock_version",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="alert",
            name="reference",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=40,
                null=True,
                unique=True,
                verbose_name="reference",
            ),
        ),
        migrations.AddField(
            model_name="alert",
            name="title",
            field=models.CharField(default="", max_length=200, verbose_name="title"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="alert",
            name="unit",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organizations.unit",
                verbose_name="owning unit",
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="alert",
            name="unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="organizations.unit",
                verbose_name="owning unit",
            ),
        ),
    ]
