"""Test data for inspections: small published checklists built row by row (the shipped
district templates come from the data migration and are tested on their own)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils import timezone

from safecampus.inspections.choices import (
    HazardCategory,
    HazardLevel,
    ItemType,
    TemplateKind,
    VersionStatus,
)
from safecampus.inspections.models import (
    ChecklistTemplate,
    TemplateItem,
    TemplateSection,
    TemplateVersion,
)

#: (code, text, type, points, hazard level if failed, category, veto)
GATE_ITEMS: list[tuple[str, str, str, str, str, str, bool]] = [
    (
        "G-01",
        "门卫室24小时有人值守",
        ItemType.YES_NO,
        "10",
        HazardLevel.SERIOUS,
        HazardCategory.GATE,
        False,
    ),
    (
        "G-02",
        "外来人员登记核实后入校",
        ItemType.YES_NO,
        "10",
        HazardLevel.GENERAL,
        HazardCategory.GATE,
        False,
    ),
    (
        "G-03",
        "一键报警装置测试正常",
        ItemType.YES_NO,
        "10",
        HazardLevel.MAJOR,
        HazardCategory.TECHNICAL,
        True,
    ),
    ("G-04", "当日巡逻次数", ItemType.NUMBER, "5", HazardLevel.GENERAL, HazardCategory.GATE, False),
    ("G-05", "防冲撞设施完好程度", ItemType.SCORE, "10", "", HazardCategory.GATE, False),
    ("G-06", "值班记录说明", ItemType.TEXT, "0", "", "", False),
]


def make_checklist(
    *,
    code: str = "test-gate",
    kind: str = TemplateKind.SUPERVISION,
    items: list[tuple[str, str, str, str, str, str, bool]] | None = None,
    status: str = VersionStatus.PUBLISHED,
    number: int = 1,
    template: ChecklistTemplate | None = None,
) -> TemplateVersion:
    """A checklist version with one section per three items; the number item accepts 5–20,
    the score item is out of its points."""
    template = template or ChecklistTemplate.objects.create(
        code=code, name=f"测试检查表 {code}", kind=kind
    )
    version = TemplateVersion.objects.create(
        template=template,
        number=number,
        status=status,
        published_at=timezone.now() if status == VersionStatus.PUBLISHED else None,
    )
    section: Any = None
    for index, (item_code, text, item_type, points, level, category, veto) in enumerate(
        items if items is not None else GATE_ITEMS
    ):
        if index % 3 == 0:
            section = TemplateSection.objects.create(
                version=version, order=index // 3, title=f"第{index // 3 + 1}部分"
            )
        TemplateItem.objects.create(
            version=version,
            section=section,
            order=index,
            code=item_code,
            text=text,
            item_type=item_type,
            weight=Decimal(points),
            severity=level,
            category=category or "",
            veto=veto,
            required=item_type != ItemType.TEXT,
            min_value=Decimal(5) if item_type == ItemType.NUMBER else None,
            max_value=Decimal(20) if item_type == ItemType.NUMBER else None,
        )
    return version
