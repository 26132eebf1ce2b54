"""Reading inspections: the list with its filters and header counts, one inspection with
its checklist, answers and photos (a constant number of queries), and a hazard's photos."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils import timezone

from safecampus.attachments.models import Attachment
from safecampus.core.localtime import local_day
from safecampus.inspections.choices import InspectionStatus
from safecampus.inspections.models import (
    Hazard,
    Inspection,
    InspectionAnswer,
    TemplateItem,
    TemplateSection,
)
from safecampus.inspections.scoring import is_answered, item_outcome, plain

OPEN_STATUSES = (InspectionStatus.DUE, InspectionStatus.DRAFT)


def _today() -> Any:
    return local_day(timezone.now())


def inspection_list(
    *,
    user: Any,
    status: str | None = None,
    school: Any = None,
    kind: str | None = None,
    overdue: bool | None = None,
    mine: bool | None = None,
    year: int | None = None,
) -> QuerySet[Inspection]:
    """Inspections ``user`` may see, soonest due first among open ones; overdue means due
    or in progress past its due date (China time)."""
    qs = Inspection.objects.visible_to(user).select_related(
        "school", "version__template", "inspector"
    )
    if status:
        qs = qs.filter(status=status)
    if school:
        qs = qs.filter(school=school)
    if kind:
        qs = qs.filter(kind=kind)
    if overdue is True:
        qs = qs.overdue(_today())
    elif overdue is False:
        qs = qs.exclude(pk__in=Inspection.objects.overdue(_today()).values("pk"))
    if mine:
        qs = qs.filter(Q(inspector=user) | Q(submitted_by=user))
    if year:
        qs = qs.filter(due_on__year=year)
    # Open ones first, soonest due first; then the finished ones, latest first.
    open_due = Case(When(status__in=OPEN_STATUSES, then=F("due_on")), default=None)
    return qs.order_by(
        Case(When(status__in=OPEN_STATUSES, then=0), default=1),
        open_due.asc(nulls_last=True),
        "-due_on",
        "-id",
    )


def inspection_due_list(*, user: Any, limit: int = 20) -> list[Inspection]:
    """The open inspections assigned to ``user`` as inspector, soonest due first: an
    inspector's own round, never another inspector's (their home page's work)."""
    return list(
        Inspection.objects.visible_to(user)
        .filter(inspector=user, status__in=OPEN_STATUSES)
        .select_related("school")
        .order_by("due_on", "pk")[:limit]
    )


@dataclass(frozen=True)
class InspectionCounts:
    due_today: int
    overdue: int
    in_progress: int
    submitted_this_month: int


def inspection_counts(*, user: Any) -> InspectionCounts:
    """The header figures of the list page: due today, overdue, in progress, submitted
    this month (China time) — one query."""
    today = _today()
    month_start = today.replace(day=1)
    open_ = Q(status__in=OPEN_STATUSES)
    row = Inspection.objects.visible_to(user).aggregate(
        due_today=Count("pk", filter=open_ & Q(due_on=today)),
        overdue=Count("pk", filter=open_ & Q(due_on__lt=today)),
        in_progress=Count("pk", filter=Q(status=InspectionStatus.DRAFT)),
        submitted=Count(
            "pk",
            filter=Q(status=InspectionStatus.SUBMITTED, submitted_at__date__gte=month_start),
        ),
    )
    return InspectionCounts(row["due_today"], row["overdue"], row["in_progress"], row["submitted"])


@dataclass
class Row:
    item: TemplateItem
    answer: InspectionAnswer | None
    photos: list[Attachment] = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return is_answered(self.item, self.answer)

    @property
    def failed(self) -> bool:
        return item_outcome(self.item, self.answer).failed


@dataclass
class Section:
    section: TemplateSection
    rows: list[Row]


@dataclass
class InspectionDetail:
    inspection: Inspection
    sections: list[Section]
    hazards: list[Hazard]

    @property
    def rows(self) -> list[Row]:
        return [row for section in self.sections for row in section.rows]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def answered(self) -> int:
        return sum(1 for row in self.rows if row.answered)

    @property
    def required_missing(self) -> list[Row]:
        return [row for row in self.rows if row.item.required and not row.answered]


def _answer_photos(answers: list[InspectionAnswer]) -> dict[str, list[Attachment]]:
    if not answers:
        return {}
    photos: dict[str, list[Attachment]] = {}
    for attachment in Attachment.objects.filter(
        owner_type=ContentType.objects.get_for_model(InspectionAnswer),
        owner_id__in=[str(a.pk) for a in answers],
    ):
        photos.setdefault(attachment.owner_id, []).append(attachment)
    return photos


def inspection_detail(*, user: Any, inspection_id: int) -> InspectionDetail | None:
    """One inspection ``user`` may see with its sections, items, answers, photos and the
    hazards it found; None when out of scope."""
    inspection = (
        Inspection.objects.visible_to(user)
        .select_related("school", "version__template", "inspector", "submitted_by")
        .filter(pk=inspection_id)
        .first()
    )
    if inspection is None:
        return None
    sections = list(TemplateSection.objects.filter(version_id=inspection.version_id))
    items = list(TemplateItem.objects.filter(version_id=inspection.version_id))
    answers = {a.item_id: a for a in InspectionAnswer.objects.filter(inspection=inspection)}
    photos = _answer_photos(list(answers.values()))
    by_section: dict[int, list[Row]] = {s.pk: [] for s in sections}
    for item in sorted(items, key=lambda i: (i.order, i.pk)):
        answer = answers.get(item.pk)
        row = Row(item, answer, photos.get(str(answer.pk), []) if answer else [])
        by_section.setdefault(item.section_id, []).append(row)
    hazards = list(
        Hazard.objects.filter(inspection=inspection).select_related("rectification", "item")
    )
    return InspectionDetail(
        inspection=inspection,
        sections=[Section(s, by_section[s.pk]) for s in sections if by_section[s.pk]],
        hazards=hazards,
    )


def hazard_photos(hazard: Hazard) -> list[Attachment]:
    """The hazard's own photos, then those of the inspection answer it came from (the
    caller has loaded ``hazard`` through ``Hazard.objects.visible_to``)."""
    hazard_type = ContentType.objects.get_for_model(Hazard)
    owners = Q(owner_type=hazard_type, owner_id=str(hazard.pk))
    if hazard.inspection_id and hazard.item_id:
        answer_ids = InspectionAnswer.objects.filter(
            inspection_id=hazard.inspection_id, item_id=hazard.item_id
        ).values_list("pk", flat=True)
        answer_type = ContentType.objects.get_for_model(InspectionAnswer)
        owners |= Q(owner_type=answer_type, owner_id__in=[str(pk) for pk in answer_ids])
    photos = list(Attachment.objects.filter(owners).select_related("owner_type"))
    return sorted(photos, key=lambda a: (a.owner_type.model != "hazard", a.created_at))


def answer_payload(answer: InspectionAnswer, item: TemplateItem) -> dict[str, Any]:
    """One saved answer as JSON: the run page's script and the API read the same shape."""
    return {
        "item": item.code,
        "result": answer.result,
        "number": None if answer.number is None else plain(answer.number),
        "score": None if answer.score is None else plain(answer.score),
        "text": answer.text,
        "note": answer.note,
        "answered": is_answered(item, answer),
        "updated_at": answer.updated_at.isoformat() if answer.updated_at else None,
    }
