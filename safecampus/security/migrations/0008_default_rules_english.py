"""English names for the default alert rules (issue #14), on databases seeded by 0002
before ``name_en`` existed; rules the bureau or a school added keep theirs empty (the
Chinese is shown until someone enters the English)."""

import importlib

from django.db import migrations

_seeded = importlib.import_module("safecampus.security.migrations.0002_default_rules")


class Migration(migrations.Migration):
    dependencies = [("security", "0007_alertrule_name_en")]

    operations = [migrations.RunPython(_seeded.fill_english, migrations.RunPython.noop)]
