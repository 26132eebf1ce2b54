"""English names for the shipped bands and seasonal calendar (issue #14), on databases
seeded by 0002 before the English fields existed; the bureau's own rows keep theirs empty
(the Chinese is shown until someone enters the English)."""

import importlib

from django.db import migrations

_seeded = importlib.import_module("safecampus.risk.migrations.0002_seed_bands_calendar")


class Migration(migrations.Migration):
    dependencies = [("risk", "0003_english_names")]

    operations = [migrations.RunPython(_seeded.fill_english, migrations.RunPython.noop)]
