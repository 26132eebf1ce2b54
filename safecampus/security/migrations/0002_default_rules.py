"""The district's default alert rules (editable by the bureau; schools add their own)."""

from datetime import time

from django.db import migrations

CRITICAL, HIGH, MEDIUM = 4, 3, 2

DEFAULTS = [
    ("夜间周界入侵", "perimeter_intrusion", "", time(22, 0), time(6, 0), HIGH),
    ("夜间越线", "line_crossing", "", time(22, 0), time(6, 0), HIGH),
    ("夜间区域闯入", "region_entrance", "", time(22, 0), time(6, 0), HIGH),
    ("一键报警", "panic_button", "", None, None, CRITICAL),
    ("重点人员布控比中", "watchlist_match", "", None, None, CRITICAL),
    ("上课时间校门口人员聚集", "crowd_gathering", "校门", time(7, 30), time(17, 30), HIGH),
    ("打架斗殴", "fight", "", None, None, HIGH),
    ("夜间门禁被强行打开", "door_forced", "", time(22, 0), time(6, 0), CRITICAL),
]


def seed(apps, schema_editor):
    AlertRule = apps.get_model("security", "AlertRule")
    for name, event_type, zone, starts, ends, priority in DEFAULTS:
        AlertRule.objects.get_or_create(
            school=None,
            event_type=event_type,
            zone=zone,
            starts_at=starts,
            ends_at=ends,
            defaults={"name": name, "priority": priority},
        )


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
