"""English names of the plan's categories (issue #14): shown to readers of English; the
Chinese name stays the category's name. Filled only where empty, so a district's own English
is kept; ``fill_english`` is also what ``0002``'s seed calls on a current schema."""

from django.db import migrations, models

ENGLISH = {
    "gang_disruption": "Disrupting school order, extortion, picking quarrels",
    "gang_disruption_order": "Disrupting teaching and school order",
    "gang_disruption_extortion": "Extortion",
    "gang_disruption_quarrels": "Picking quarrels and provoking trouble",
    "lawless_persons": "Disturbing the school surroundings, endangering staff and students",
    "lawless_persons_surroundings": "Disturbing the school surroundings",
    "lawless_persons_safety": "Endangering the safety of staff and students",
    "construction_coercion": "Forced contracting, loading and unloading, buying and selling",
    "construction_coercion_contracting": "Forcing construction contracts",
    "construction_coercion_loading": "Forced loading and unloading",
    "construction_coercion_trading": "Forced buying and selling",
    "campus_loans": "Campus loans and predatory trap loans",
    "campus_loans_campus": "Campus loans",
    "campus_loans_routine": "Predatory trap loans",
    "bullying_violence": "School bullying and school violence",
    "bullying_violence_bullying": "School bullying",
    "bullying_violence_violence": "School violence",
    "other": "Other",
}


def fill_english(apps, schema_editor=None):
    LeadCategory = apps.get_model("leads", "LeadCategory")
    for code, english in ENGLISH.items():
        LeadCategory.objects.filter(code=code, name_en="").update(name_en=english)


class Migration(migrations.Migration):
    dependencies = [("leads", "0008_ledger_indexes")]

    operations = [
        migrations.AddField(
            model_name="leadcategory",
            name="name_en",
            field=models.CharField(blank=True, max_length=120, verbose_name="name in English"),
        ),
        migrations.RunPython(fill_english, migrations.RunPython.noop),
    ]
