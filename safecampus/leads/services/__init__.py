"""Every write on leads, one module per concern: ``leads`` (report and the workflow's
moves), ``actions`` (one move as the pages and the API name it), ``feedback`` (a partner
agency's answers), ``merging``, ``reveal`` (the two-person reveal of a reporter),
``persons`` (the audited view of the names in a lead), ``portal`` (the anonymous public
portal), ``imports`` and ``ledger`` (the Excel import and the audited export).

The workflow's services are re-exported here, as the kernel's are; import the others
from their module.
"""

from safecampus.leads.services.leads import (
    lead_accept,
    lead_assign_school,
    lead_close,
    lead_conclude,
    lead_dual_report_add,
    lead_mark_spam,
    lead_open,
    lead_reject,
    lead_reopen,
    lead_report,
    lead_start_handling,
    lead_transfer,
)

__all__ = [
    "lead_accept",
    "lead_assign_school",
    "lead_close",
    "lead_conclude",
    "lead_dual_report_add",
    "lead_mark_spam",
    "lead_open",
    "lead_reject",
    "lead_reopen",
    "lead_report",
    "lead_start_handling",
    "lead_transfer",
]
