"""The rectification notice (整改通知书) as a formal document (PDF) in the layout of a Chinese
official document: the bureau's red header, the document number, the addressee, the
hazards, the requirements, the deadline, the issuing unit and date. Made on request,
never stored."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from safecampus.core.localtime import CHINA_TZ
from safecampus.core.official_pdf import FONT, OfficialPdf, chinese_date
from safecampus.inspections.choices import HazardCategory, HazardLevel
from safecampus.inspections.models import Hazard, Rectification
from safecampus.inspections.selectors.hazards import notice_hazards
from safecampus.organizations.selectors import bureau_unit

#: The document-number code of the district's safety notices (新教安整): bureau practice.
DOC_CODE = "新教安整"
# The document is Chinese whatever the reader's language: it goes to the school's files.
LEVELS: dict[str, str] = {
    HazardLevel.GENERAL: "一般",
    HazardLevel.SERIOUS: "较大",
    HazardLevel.MAJOR: "重大",
}
CATEGORIES: dict[str, str] = {
    HazardCategory.FIRE: "消防安全",
    HazardCategory.ELECTRICAL: "用电用气",
    HazardCategory.BUILDING: "校舍设施",
    HazardCategory.CANTEEN: "食堂食品",
    HazardCategory.DORMITORY: "宿舍管理",
    HazardCategory.GATE: "门卫巡逻",
    HazardCategory.TECHNICAL: "技防设施",
    HazardCategory.SECURITY_STAFF: "安保队伍",
    HazardCategory.SURROUNDINGS: "周边环境",
    HazardCategory.SCHOOL_BUS: "校车交通",
    HazardCategory.EDUCATION: "安全管理与教育",
    HazardCategory.OTHER: "其他",
}
#: Column widths of the hazard table (mm): 序号, 隐患描述, 部位, 类别, 等级, 整改期限.
COLUMNS = (
    ("序号", 12),
    ("隐患描述", 56),
    ("部位", 28),
    ("类别", 22),
    ("等级", 14),
    ("整改期限", 28),
)


def document_number(notice: Rectification) -> str:
    """新教安整〔2026〕ZG-2026-000012号, from the notice's year and reference."""
    year = timezone.localtime(notice.created_at, CHINA_TZ).year
    return f"{DOC_CODE}〔{year}〕{notice.reference}号"


def _local_day(moment: datetime | None) -> date | None:
    return timezone.localtime(moment, CHINA_TZ).date() if moment else None


def _table(pdf: OfficialPdf, hazards: list[Hazard], due: str) -> None:
    """One table; its heading row repeats on every page it runs onto."""
    pdf.set_font(FONT, "", 10)
    with pdf.table(
        col_widths=[width for _, width in COLUMNS],
        width=sum(width for _, width in COLUMNS),
        line_height=6,
        text_align=("CENTER", "LEFT", "LEFT", "CENTER", "CENTER", "CENTER"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        repeat_headings=1,
        wrapmode=WrapMode.CHAR,
    ) as table:
        table.row([title for title, _ in COLUMNS])
        for index, hazard in enumerate(hazards, start=1):
            table.row(
                (
                    str(index),
                    hazard.description,
                    hazard.place or "—",
                    CATEGORIES.get(hazard.category, hazard.category),
                    LEVELS.get(hazard.level, hazard.level),
                    due,
                )
            )


def _requirements(notice: Rectification, hazards: list[Hazard], due: str) -> list[str]:
    lines = [
        f"一、请你校对上述隐患逐项制定整改措施，明确责任人和完成时限，于{due}前整改到位。",
        "二、整改期间要落实防范措施，防止发生安全事故；整改完成后留存整改前后照片等佐证材料。",
    ]
    if any(h.level == HazardLevel.MAJOR for h in hazards):
        lines.append(
            "三、对重大隐患，须立即落实临时管控措施并明确管控责任人，"
            "在隐患消除前不得停止管控，必要时停止使用相关场所、设施。"
        )
    if notice.requirements.strip():
        number = "四" if len(lines) == 3 else "三"
        lines.append(f"{number}、{notice.requirements.strip()}")
    return lines


def rectification_notice_pdf(notice: Rectification) -> bytes:
    """The notice as a PDF (bytes): A4, Noto Sans SC, long text wrapped, as many pages as the
    hazards take, each page numbered."""
    bureau = bureau_unit()
    issuer = bureau.name if bureau else notice.verifier_unit.name
    hazards = notice_hazards(notice)
    due_day = _local_day(notice.due_at)
    due = chinese_date(due_day) if due_day else "—"
    pdf = OfficialPdf()
    pdf.set_title(f"安全隐患整改通知书 {notice.reference}")
    pdf.add_page()
    pdf.red_header(issuer, document_number(notice), "安全隐患整改通知书")
    pdf.set_font(FONT, "", 12)
    pdf.cell(0, 8, f"{notice.unit.name}：", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    found = "检查" if notice.inspection_id else "排查"
    pdf.para(
        f"经{found}，你校存在以下安全隐患（共{len(hazards)}项），现通知你校限期整改。具体如下："
    )
    pdf.ln(2)
    _table(pdf, hazards, due)
    pdf.ln(4)
    pdf.para("整改要求：", indent=False, style="B")
    for line in _requirements(notice, hazards, due):
        pdf.para(line)
    pdf.para(
        f"请于{due}前将整改情况（整改措施、责任人、完成时间及整改前后照片）"
        f"通过平安校园治理平台报送{issuer}，逾期未整改的将予以通报并依规追究责任。"
    )
    issued_on = _local_day(notice.created_at) or timezone.localdate()
    pdf.signature(issuer, chinese_date(issued_on), "（盖章）")
    return bytes(pdf.output())


def notice_filename(notice: Rectification) -> str:
    return f"整改通知书-{notice.reference}.pdf"


__all__: list[Any] = ["document_number", "notice_filename", "rectification_notice_pdf"]
