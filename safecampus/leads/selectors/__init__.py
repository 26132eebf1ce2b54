"""Every read of leads another room (or another app) needs, one module per concern:
``leads`` (scoped lists and look-ups), ``stats`` (the statistics and their charts),
``duplicates`` (possible duplicates of a lead), ``evidence`` (per-school counts the risk
grade reads). Each scoped read goes through ``Lead.objects.visible_to(user)``.

The scoped look-ups of ``leads`` are re-exported here; import the others from their module.
"""

from safecampus.leads.selectors.leads import (
    category_list,
    dual_report_list,
    import_schools,
    lead_get,
    lead_get_by_reference,
    lead_list,
    public_lead_for,
)

__all__ = [
    "category_list",
    "dual_report_list",
    "import_schools",
    "lead_get",
    "lead_get_by_reference",
    "lead_list",
    "public_lead_for",
]
