"""The six categories of the plan (R-2.1) with their sub-types; codes are stable."""

from importlib import import_module

from django.db import migrations

SOURCE = "District practice for concluding a lead; no national number found [GK]"

CATEGORIES = [
    (
        "gang_disruption",
        "干扰教育教学秩序、敲诈勒索、寻衅滋事",
        [
            ("gang_disruption_order", "干扰教育教学秩序"),
            ("gang_disruption_extortion", "敲诈勒索"),
            ("gang_disruption_quarrels", "寻衅滋事"),
        ],
    ),
    (
        "lawless_persons",
        "干扰校园周边环境、危害师生安全",
        [
            ("lawless_persons_surroundings", "干扰校园周边环境"),
            ("lawless_persons_safety", "危害师生安全"),
        ],
    ),
    (
        "construction_coercion",
        "强揽工程、强装强卸、强买强卖",
        [
            ("construction_coercion_contracting", "强揽工程"),
            ("construction_coercion_loading", "强装强卸"),
            ("construction_coercion_trading", "强买强卖"),
        ],
    ),
    (
        "campus_loans",
        "校园贷、套路贷",
        [
            ("campus_loans_campus", "校园贷"),
            ("campus_loans_routine", "套路贷"),
        ],
    ),
    (
        "bullying_violence",
        "校园欺凌和校园暴力",
        [
            ("bullying_violence_bullying", "校园欺凌"),
            ("bullying_violence_violence", "校园暴力"),
        ],
    ),
    ("other", "其他", []),
]


def seed(apps, schema_editor):
    LeadCategory = apps.get_model("leads", "LeadCategory")
    for order, (code, name, children) in enumerate(CATEGORIES, start=1):
        parent, _ = LeadCategory.objects.update_or_create(
            code=code,
            defaults={"name": name, "ordering": order * 10, "conclude_days": 30, "source": SOURCE},
        )
        for sub_order, (sub_code, sub_name) in enumerate(children, start=1):
            LeadCategory.objects.update_or_create(
                code=sub_code,
                defaults={"name": sub_name, "parent": parent, "ordering": order * 10 + sub_order},
            )
    if any(field.name == "name_en" for field in LeadCategory._meta.get_fields()):
        # Called on a current schema (tests, the demo): the English names of 0009 too.
        import_module("safecampus.leads.migrations.0009_category_name_en").fill_english(apps)


def unseed(apps, schema_editor):
    LeadCategory = apps.get_model("leads", "LeadCategory")
    LeadCategory.objects.filter(parent__isnull=False).delete()
    LeadCategory.objects.filter(code__in=[c for c, _, _ in CATEGORIES]).delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
