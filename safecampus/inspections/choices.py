"""Kinds, statuses and levels of checklists, inspections, hazards (隐患) and rectification
(整改), and the rectification workflow (R-4.1, R-5.1, R-8.3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from safecampus.cases.workflow import Transition, Workflow
from safecampus.organizations.choices import Role


class TemplateKind(models.TextChoices):
    DAILY_PATROL = "daily_patrol", _("Daily gate and patrol check")
    SELF_INSPECTION = "self_inspection", _("School safety self-inspection")
    SURROUNDINGS = "surroundings", _("Campus surroundings check")
    SCHOOL_BUS = "school_bus", _("School bus check")
    SUPERVISION = "supervision", _("Supervisory inspection")
    EVALUATION = "evaluation", _("Safe-campus evaluation")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Superseded")


class ItemType(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no / not applicable")
    SCORE = "score", _("Score")
    NUMBER = "number", _("Number")
    TEXT = "text", _("Text")
    PHOTO = "photo", _("Photo required")


class AnswerResult(models.TextChoices):
    PASS = "pass", _("Meets the requirement")
    FAIL = "fail", _("Does not meet it")
    NOT_APPLICABLE = "na", _("Not applicable")


class HazardLevel(models.TextChoices):
    """Levels as the district grades hazards (一般, 较大, 重大); each has its rectification
    limit in rules."""

    GENERAL = "general", pgettext_lazy("hazard level", "General")
    SERIOUS = "serious", pgettext_lazy("hazard level", "Serious")
    MAJOR = "major", pgettext_lazy("hazard level", "Major")


#: Gravest first, for sorting and for a notice's strictest deadline.
HAZARD_LEVEL_ORDER = {HazardLevel.MAJOR: 0, HazardLevel.SERIOUS: 1, HazardLevel.GENERAL: 2}


class HazardCategory(models.TextChoices):
    FIRE = "fire", _("Fire safety")
    ELECTRICAL = "electrical", _("Electricity and gas")
    BUILDING = "building", _("Buildings and facilities")
    CANTEEN = "canteen", _("Canteen and food")
    DORMITORY = "dormitory", _("Dormitory")
    GATE = "gate", _("Gate and patrol")
    TECHNICAL = "technical", _("Technical security")
    SECURITY_STAFF = "security_staff", _("Security staff")
    SURROUNDINGS = "surroundings", _("Surroundings")
    SCHOOL_BUS = "school_bus", _("School bus and traffic")
    EDUCATION = "education", _("Safety management and education")
    OTHER = "other", _("Other")


class HazardStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("hazard status", "Open")
    RECTIFYING = "rectifying", _("Being rectified")
    VERIFYING = "verifying", _("Awaiting verification")
    CLOSED = "closed", pgettext_lazy("hazard status", "Closed")
    VOID = "void", _("Void")


OPEN_HAZARD_STATUSES = (HazardStatus.OPEN, HazardStatus.RECTIFYING, HazardStatus.VERIFYING)


class HazardSource(models.TextChoices):
    INSPECTION = "inspection", _("Inspection finding")
    SCHOOL_REPORT = "school_report", _("Reported by the school")
    INSPECTOR_REPORT = "inspector_report", _("Reported by an inspector")


class Performer(models.TextChoices):
    SCHOOL = "school", _("The school itself")
    INSPECTOR = "inspector", _("Supervising inspector")
    GUARD = "guard", _("School guards")


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    SEMESTER = "semester", _("Per semester")
    YEARLY = "yearly", _("Yearly")


class InspectionStatus(models.TextChoices):
    DUE = "due", pgettext_lazy("inspection status", "Due")
    DRAFT = "draft", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    CANCELLED = "cancelled", _("Cancelled")


class RectificationStatus(models.TextChoices):
    ISSUED = "issued", _("Issued to the school")
    SUBMITTED = "submitted", _("Submitted for verification")
    RETURNED = "returned", _("Returned to the school")
    VERIFIED = "verified", _("Verified and closed")
    CANCELLED = "cancelled", _("Cancelled")


class AccountabilityMeasure(models.TextChoices):
    """Measures against those responsible (约谈, 通报批评, 诫勉, 处分, 调整岗位)."""

    TALK = "talk", _("Formal talk")
    CRITICISM = "criticism", _("Circulated criticism")
    ADMONISHMENT = "admonishment", _("Admonishment")
    SANCTION = "sanction", _("Disciplinary sanction")
    REASSIGNMENT = "reassignment", _("Reassignment or removal")
    OTHER = "other", _("Other")


#: Who acts for a school on a notice, and who verifies a school's work.
SCHOOL_RECTIFIERS = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER})
VERIFIERS = frozenset({Role.INSPECTOR, Role.BUREAU_SAFETY_OFFICER, Role.PRINCIPAL})
RECTIFY_PURPOSE = "rectify"
#: The same time limit set a second time, escalated to the bureau (the first goes to the
#: school's principal), so an overdue notice reaches both, each exactly once.
RECTIFY_BUREAU_PURPOSE = "rectify_bureau"

RECTIFICATION_WORKFLOW = Workflow(
    statuses=RectificationStatus,
    initial=RectificationStatus.ISSUED,
    transitions={
        RectificationStatus.ISSUED: {
            RectificationStatus.SUBMITTED: Transition(
                roles=SCHOOL_RECTIFIERS,
                meets={RECTIFY_PURPOSE, RECTIFY_BUREAU_PURPOSE},
                label=_("Submit for verification"),
            ),
            RectificationStatus.CANCELLED: Transition(
                roles={Role.BUREAU_SAFETY_OFFICER}, requires_note=True, label=_("Cancel")
            ),
        },
        RectificationStatus.RETURNED: {
            RectificationStatus.SUBMITTED: Transition(
                roles=SCHOOL_RECTIFIERS,
                meets={RECTIFY_PURPOSE, RECTIFY_BUREAU_PURPOSE},
                label=_("Submit again"),
            ),
            RectificationStatus.CANCELLED: Transition(
                roles={Role.BUREAU_SAFETY_OFFICER}, requires_note=True, label=_("Cancel")
            ),
        },
        RectificationStatus.SUBMITTED: {
            RectificationStatus.VERIFIED: Transition(
                roles=VERIFIERS, label=pgettext_lazy("rectification", "Accept")
            ),
            RectificationStatus.RETURNED: Transition(
                roles=VERIFIERS, requires_note=True, label=_("Reject and return")
            ),
            RectificationStatus.CANCELLED: Transition(
                roles={Role.BUREAU_SAFETY_OFFICER}, requires_note=True, label=_("Cancel")
            ),
        },
    },
    terminal={RectificationStatus.VERIFIED, RectificationStatus.CANCELLED},
)
