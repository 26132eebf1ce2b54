"""Writes of the case kernel: create, move, assign, transfer, feedback, deadlines, calendar.

Each write locks the case row, checks the case type's workflow and the actor's
role, and appends a timeline event and an audit row in the same transaction.
Domain services call these; they never write ``status`` or the shared tables
themselves.
"""

from safecampus.cases.services.cases import (
    case_assign,
    case_comment,
    case_create,
    case_create_many,
    case_transition,
)
from safecampus.cases.services.deadlines import (
    deadline_label,
    deadline_meet,
    deadline_set,
    deadline_sweep,
)
from safecampus.cases.services.holidays import holiday_override_delete, holiday_override_set
from safecampus.cases.services.transfers import (
    case_transfer,
    transfer_accept,
    transfer_feedback,
    transfer_progress,
    transfer_return,
)

__all__ = [
    "case_assign",
    "case_comment",
    "case_create",
    "case_create_many",
    "case_transfer",
    "case_transition",
    "deadline_label",
    "deadline_meet",
    "deadline_set",
    "deadline_sweep",
    "holiday_override_delete",
    "holiday_override_set",
    "transfer_accept",
    "transfer_feedback",
    "transfer_progress",
    "transfer_return",
]
