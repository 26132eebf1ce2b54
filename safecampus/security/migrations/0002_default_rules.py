"""The district's default alert rules (editable by the bureau; schools add their own).

English names (issue #14) came later: ``fill_english`` gives a default rule its English name
where it is empty and the Chinese name is still the shipped one; migration 0008 runs it on
databases seeded before, and ``seed`` runs it when the model has ``name_en`` (tests, which
seed with the current models). A fresh install's historical model here has no ``name_en``
yet, so 0008 fills it.
"""

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


#: Chinese name → English name.
ENGLISH = {
    "夜间周界入侵": "Perimeter intrusion at night",
    "夜间越线": "Line crossing at night",
    "夜间区域闯入": "Region entrance at night",
    "一键报警": "One-key alarm",
    "重点人员布控比中": "Watch-list match",
    "上课时间校门口人员聚集": "Crowd at the school gate during school hours",
    "打架斗殴": "Fight",
    "夜间门禁被强行打开": "Door forced open at night",
}


def fill_english(apps, schema_editor):
    """The default district rules' English names, where empty (matched by Chinese name)."""
    AlertRule = apps.get_model("security", "AlertRule")
    for name, english in ENGLISH.items():
        AlertRule.objects.filter(school=None, name=name, name_en="").update(name_en=english)


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
    if any(field.name == "name_en" for field in AlertRule._meta.get_fields()):
        fill_english(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
