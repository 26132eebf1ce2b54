"""The safe-campus evaluation ranking (平安校园考评排名) as an Excel workbook."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from safecampus.inspections.evaluation import SchoolScore
from safecampus.inspections.excel.inspections import Sheet

EVALUATION_COLUMNS: tuple[tuple[Promise, int], ...] = (
    (pgettext_lazy("evaluation", "Rank"), 6),
    (pgettext_lazy("evaluation", "School code"), 10),
    (pgettext_lazy("evaluation", "School"), 28),
    (pgettext_lazy("evaluation", "School kind"), 14),
    (pgettext_lazy("evaluation", "Evaluations"), 9),
    (pgettext_lazy("evaluation", "Average checklist score (%)"), 12),
    (pgettext_lazy("evaluation", "Checklist points"), 10),
    (pgettext_lazy("evaluation", "Notices on time"), 9),
    (pgettext_lazy("evaluation", "Notices counted"), 9),
    (pgettext_lazy("evaluation", "Timeliness points"), 10),
    (pgettext_lazy("evaluation", "Planned inspections on time"), 10),
    (pgettext_lazy("evaluation", "Planned inspections due"), 10),
    (pgettext_lazy("evaluation", "Planned-inspection points"), 10),
    (pgettext_lazy("evaluation", "Overdue notices"), 9),
    (pgettext_lazy("evaluation", "Penalty"), 8),
    (pgettext_lazy("evaluation", "Total"), 8),
    (pgettext_lazy("evaluation", "Grade"), 10),
    (pgettext_lazy("evaluation", "Veto item failed"), 9),
)


def evaluation_row(score: SchoolScore) -> list[object]:
    return [
        score.rank,
        score.code,
        score.name,
        score.kind_label,
        score.evaluations,
        score.checklist_percent,
        score.checklist,
        score.notices_on_time,
        score.notices_counted,
        score.timeliness,
        score.planned_on_time,
        score.planned_due,
        score.self_inspection,
        score.overdue_open,
        score.penalty,
        score.total,
        score.grade_label,
        score.veto,
    ]


def evaluation_write(
    out: IO[bytes], scores: Sequence[SchoolScore], *, title: str, subtitle: str
) -> None:
    sheet = Sheet(
        out, name=str(_("Evaluation")), title=title, subtitle=subtitle, columns=EVALUATION_COLUMNS
    )
    for score in scores:
        sheet.append(evaluation_row(score))
    sheet.close()
