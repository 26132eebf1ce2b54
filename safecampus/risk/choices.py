"""Categories, warning levels and the warning workflow of the monthly graded risk early
warning (月度安全风险分级预警, R-5.5)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from safecampus.cases.workflow import Transition, Workflow
from safecampus.organizations.choices import Role


class RiskCategory(models.TextChoices):
    CAMPUS_SECURITY = "campus_security", _("Campus security")
    SURROUNDINGS_GANGS = "surroundings_gangs", _("Surroundings and gangs")
    BULLYING_VIOLENCE = "bullying_violence", _("Bullying and violence")
    TRAFFIC_BUS = "traffic_bus", _("Traffic and school bus")
    FIRE = "fire", _("Fire")
    DROWNING = "drowning", _("Drowning")
    FOOD = "food", _("Food safety")
    NATURAL_DISASTER = "natural_disaster", _("Natural disaster")
    CYBER_FRAUD = "cyber_fraud", _("Cyber security and fraud")
    CAMPUS_LOANS = "campus_loans", _("Campus loans")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    OTHER = "other", _("Other")


class WarningLevel(models.TextChoices):
    """一级 red is the highest (《突发事件应对法》 four-level warning); labels and score
    thresholds are data the bureau edits (``RiskLevelBand``)."""

    RED = "red", _("Level I (red)")
    ORANGE = "orange", _("Level II (orange)")
    YELLOW = "yellow", _("Level III (yellow)")
    BLUE = "blue", _("Level IV (blue)")


#: Highest first.
LEVEL_ORDER = {
    WarningLevel.RED: 0,
    WarningLevel.ORANGE: 1,
    WarningLevel.YELLOW: 2,
    WarningLevel.BLUE: 3,
}
#: Levels that get a school-specific warning, and levels the bureau leader is told of.
SCHOOL_WARNING_LEVELS = frozenset({WarningLevel.RED, WarningLevel.ORANGE})
LEADER_LEVELS = frozenset({WarningLevel.RED, WarningLevel.ORANGE, WarningLevel.YELLOW})


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class SchoolWarningStatus(models.TextChoices):
    ISSUED = "issued", _("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REPORTED = "reported", _("Measures reported")
    CLOSED = "closed", _("Closed")


ACKNOWLEDGE_PURPOSE = "acknowledge"
FEEDBACK_PURPOSE = "feedback"
#: Each time limit is set twice, escalated to the school and to the bureau, so a missed
#: acknowledgement or feedback reaches both, each exactly once.
ACKNOWLEDGE_BUREAU_PURPOSE = "acknowledge_bureau"
FEEDBACK_BUREAU_PURPOSE = "feedback_bureau"
SCHOOL_RESPONDERS = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER})
#: Who grades, adjusts grades and issues notices.
RISK_MANAGER_ROLES = frozenset({Role.BUREAU_SAFETY_OFFICER})

SCHOOL_WARNING_WORKFLOW = Workflow(
    statuses=SchoolWarningStatus,
    initial=SchoolWarningStatus.ISSUED,
    transitions={
        SchoolWarningStatus.ISSUED: {
            SchoolWarningStatus.ACKNOWLEDGED: Transition(
                roles=SCHOOL_RESPONDERS,
                meets={ACKNOWLEDGE_PURPOSE, ACKNOWLEDGE_BUREAU_PURPOSE},
                label=_("Acknowledge"),
            ),
        },
        SchoolWarningStatus.ACKNOWLEDGED: {
            SchoolWarningStatus.REPORTED: Transition(
                roles=SCHOOL_RESPONDERS,
                meets={FEEDBACK_PURPOSE, FEEDBACK_BUREAU_PURPOSE},
                label=_("Report measures"),
            ),
        },
        SchoolWarningStatus.REPORTED: {
            SchoolWarningStatus.CLOSED: Transition(roles=RISK_MANAGER_ROLES, label=_("Close")),
            SchoolWarningStatus.ACKNOWLEDGED: Transition(
                roles=RISK_MANAGER_ROLES, requires_note=True, label=_("Ask for more")
            ),
        },
    },
    terminal={SchoolWarningStatus.CLOSED},
)
