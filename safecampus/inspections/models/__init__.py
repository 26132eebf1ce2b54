"""Checklists (检查表) and their versions, inspection plans and inspections, the hazard
register (隐患台账), rectification notices (整改通知书) on the case kernel, and
accountability decisions (追责) — R-4.1, R-5.1, R-8.3.

A finished inspection keeps the template version it used: a published version is never
edited; the bureau drafts and publishes a new one.
"""

from safecampus.inspections.models.checklists import (
    ChecklistTemplate,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)
from safecampus.inspections.models.hazards import (
    ACCOUNTABILITY_READERS,
    AccountabilityDecision,
    Hazard,
    Rectification,
)
from safecampus.inspections.models.inspections import Inspection, InspectionAnswer, InspectionPlan

__all__ = [
    "ACCOUNTABILITY_READERS",
    "AccountabilityDecision",
    "ChecklistTemplate",
    "Hazard",
    "Inspection",
    "InspectionAnswer",
    "InspectionPlan",
    "Rectification",
    "TemplateItem",
    "TemplateSection",
    "TemplateVersion",
]
