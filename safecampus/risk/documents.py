"""The monthly warning notice (预警通知) as a formal Chinese official document (公文), in PDF
(fpdf2) and DOCX (python-docx): the bureau's red header "…文件", the document number, a red
line, the title, the addressee, the month's situation by level, the district-wide seasonal
warnings, the red and orange schools with their reasons and required measures, the
requirements (acknowledge within the limit, report by the feedback date), issuer and date.
Made on request, never stored. A long school list moves to an attachment (附件) on its own
page(s), its heading row repeated on each page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from fpdf.enums import WrapMode, XPos, YPos
from fpdf.fonts import FontFace

from safecampus.core.localtime import CHINA_TZ
from safecampus.core.official_pdf import FONT, RED, OfficialPdf, chinese_date
from safecampus.core.rules import rule
from safecampus.organizations.selectors import bureau_unit
from safecampus.risk.choices import NoticeStatus, WarningLevel
from safecampus.risk.models import WarningNotice
from safecampus.risk.selectors.notices import WarnedSchool, level_counts, warned_schools

#: The document-number code of the district's safety warning notices (bureau practice).
DOC_CODE = "新教安"
#: Above this many red and orange schools the list goes to an attachment page.
INLINE_SCHOOLS = 10
ADDRESSEE = "各中小学、幼儿园："
LEVELS: dict[str, str] = {
    WarningLevel.RED: "一级（红色）",
    WarningLevel.ORANGE: "二级（橙色）",
    WarningLevel.YELLOW: "三级（黄色）",
    WarningLevel.BLUE: "四级（蓝色）",
}
#: Column titles and widths (mm) of the school table.
COLUMNS = (("序号", 12), ("学校", 36), ("预警等级", 24), ("主要风险因素", 44), ("管控要求", 44))
# Official-document fonts for Word (仿宋 body, 黑体 headings, 小标宋 title); Word falls back
# to whatever CJK font is installed when one is missing.
DOCX_BODY_FONT = "仿宋_GB2312"
DOCX_TITLE_FONT = "方正小标宋简体"
DOCX_HEADING_FONT = "黑体"
NUMERALS = "一二三四五六七八九十"


def document_number(notice: WarningNotice) -> str:
    """The notice's number as entered, else 新教安〔2026〕4号 from its month."""
    if notice.document_number.strip():
        return notice.document_number.strip()
    return f"{DOC_CODE}〔{notice.month.year}〕{notice.month.month}号"


def issuer_name() -> str:
    bureau = bureau_unit()
    return bureau.name if bureau is not None else "教育局"


def issue_day(notice: WarningNotice) -> date:
    moment = notice.issued_at or timezone.now()
    return timezone.localtime(moment, CHINA_TZ).date()


def notice_filename(notice: WarningNotice, extension: str) -> str:
    return f"{notice.title}.{extension}"


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str]


@dataclass(frozen=True)
class Content:
    """The document's text, built once and laid out by either writer."""

    issuer: str
    number: str
    title: str
    sections: list[Section]
    schools: list[WarnedSchool]
    schools_inline: bool
    issued_on: str


def _situation(notice: WarningNotice) -> str:
    counts = level_counts(notice=notice)
    total = sum(c.count for c in counts)
    parts = "、".join(f"{LEVELS[c.level]}预警{c.count}所" for c in counts)
    month = notice.month
    return (
        f"根据各校{month.month - 1 if month.month > 1 else 12}月安全风险排查、隐患整改、线索处置、"
        f"技防运行和安全检查等情况，经综合研判，{month.year}年{month.month}月全区"
        f"共{total}所学校纳入风险分级预警，其中{parts}。"
    )


def _seasonal(notice: WarningNotice) -> list[str]:
    lines = [line.strip() for line in notice.summary.splitlines() if line.strip()]
    if lines:
        return lines
    risks = list(notice.seasonal_risks.all())
    if not risks:
        return ["本月无特别提示的季节性风险，各校要按常态落实各项安全管理制度。"]
    return [f"{i}．{risk.title}：{risk.measures.strip()}" for i, risk in enumerate(risks, 1)]


def _requirements(notice: WarningNotice, issuer: str) -> list[str]:
    days = rule("warning_acknowledge_days")
    due = chinese_date(notice.feedback_due)
    return [
        f"（一）及时签收。各学校须在本通知下发后{days}个工作日内通过平安校园治理平台签收。",
        "（二）落实措施。各学校要对照本通知及本校预警内容，逐项落实防范和管控措施，"
        "红色、橙色预警学校校长为第一责任人，要制定专项方案，明确责任人和完成时限。",
        f"（三）按时反馈。各学校须于{due}前通过平安校园治理平台报送措施落实情况。",
        f"（四）督办问责。逾期未签收、未反馈的，平台将自动提醒并报告{issuer}，"
        "对工作不力、造成严重后果的，依规追究相关人员责任。",
    ]


def notice_content(notice: WarningNotice) -> Content:
    issuer = issuer_name()
    schools = warned_schools(notice=notice)
    inline = len(schools) <= INLINE_SCHOOLS
    if not schools:
        school_text = ["本月无一级（红色）、二级（橙色）预警学校。"]
    elif inline:
        school_text = ["以下学校被列为一级（红色）或二级（橙色）预警学校，须立即落实管控要求："]
    else:
        school_text = [
            f"共{len(schools)}所学校被列为一级（红色）或二级（橙色）预警学校，"
            "名单、主要风险因素及管控要求见附件，相关学校须立即落实。"
        ]
    return Content(
        issuer=issuer,
        number=document_number(notice) + ("" if is_final(notice) else "（草稿）"),
        title=notice.title,
        sections=[
            Section("一、总体情况", [_situation(notice)]),
            Section("二、全区季节性风险预警", _seasonal(notice)),
            Section("三、重点学校预警", school_text),
            Section("四、工作要求", _requirements(notice, issuer)),
        ],
        schools=schools,
        schools_inline=inline,
        issued_on=chinese_date(issue_day(notice)),
    )


def _row(index: int, school: WarnedSchool) -> tuple[str, ...]:
    return (
        str(index),
        school.name,
        LEVELS.get(school.level, school.level),
        school.reasons or "—",
        school.measures or "—",
    )


# --- PDF ---------------------------------------------------------------------------------


def _pdf_table(pdf: OfficialPdf, schools: list[WarnedSchool]) -> None:
    pdf.set_font(FONT, "", 9.5)
    with pdf.table(
        col_widths=[width for _, width in COLUMNS],
        width=sum(width for _, width in COLUMNS),
        line_height=5.5,
        text_align=("CENTER", "LEFT", "CENTER", "LEFT", "LEFT"),
        headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
        repeat_headings=1,
        wrapmode=WrapMode.CHAR,
    ) as table:
        table.row([title for title, _ in COLUMNS])
        for index, school in enumerate(schools, start=1):
            table.row(_row(index, school))


def notice_pdf(notice: WarningNotice) -> bytes:
    """The notice as a PDF: A4, Noto Sans SC, numbered pages."""
    content = notice_content(notice)
    pdf = OfficialPdf()
    pdf.set_title(content.title)
    pdf.add_page()
    pdf.red_header(f"{content.issuer}文件", content.number, content.title, issuer_size=24)
    pdf.para(ADDRESSEE, indent=False)
    pdf.para(
        "为落实学校安全风险“月度研判、分级预警”工作机制，现将本月全区学校安全风险预警通知如下："
    )
    for index, section in enumerate(content.sections):
        pdf.ln(1)
        pdf.para(section.heading, style="B")
        for text in section.paragraphs:
            pdf.para(text)
        if index == 2 and content.schools and content.schools_inline:
            pdf.ln(1)
            _pdf_table(pdf, content.schools)
            pdf.ln(2)
    pdf.signature(content.issuer, content.issued_on)
    if content.schools and not content.schools_inline:
        pdf.add_page()
        pdf.para("附件", indent=False, style="B")
        pdf.set_font(FONT, "B", 15)
        pdf.cell(0, 10, "一级（红色）、二级（橙色）预警学校名单", align="C",
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
        pdf.ln(2)
        _pdf_table(pdf, content.schools)
    return bytes(pdf.output())


# --- DOCX --------------------------------------------------------------------------------


def _fonts(run_or_style: object, name: str) -> None:
    """Latin and East Asian font names (Word reads Chinese glyphs from ``w:eastAsia``)."""
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = name
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        rfonts.set(qn(attribute), name)


def _run(paragraph, text: str, *, font: str, size: float, bold=False, color=None):  # type: ignore[no-untyped-def]
    run = paragraph.add_run(text)
    _fonts(run, font)
    run.font.size = Pt(size)
    run.bold = bold
    if color is not None:
        run.font.color.rgb = RGBColor(*color)
    return run


def _red_rule(paragraph) -> None:  # type: ignore[no-untyped-def]
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "18"),
        ("w:space", "4"),
        ("w:color", "C81010"),
    ):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)


def _docx_body(document, text: str, *, indent: bool = True, bold: bool = False):  # type: ignore[no-untyped-def]
    paragraph = document.add_paragraph()
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(32)
    font = DOCX_HEADING_FONT if bold else DOCX_BODY_FONT
    _run(paragraph, text, font=font, size=16)
    return paragraph


def _docx_table(document, schools: list[WarnedSchool]) -> None:  # type: ignore[no-untyped-def]
    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    # The heading row repeats on every page the table runs onto.
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, (title, width) in zip(header.cells, COLUMNS, strict=True):
        cell.width = Cm(width / 10)
        _run(cell.paragraphs[0], title, font=DOCX_HEADING_FONT, size=11)
    for index, school in enumerate(schools, start=1):
        cells = table.add_row().cells
        for cell, text, (_title, width) in zip(cells, _row(index, school), COLUMNS, strict=True):
            cell.width = Cm(width / 10)
            lines = text.splitlines() or [""]
            _run(cell.paragraphs[0], lines[0], font=DOCX_BODY_FONT, size=11)
            for line in lines[1:]:
                _run(cell.add_paragraph(), line, font=DOCX_BODY_FONT, size=11)


def _docx_setup() -> object:
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = document.styles["Normal"]
    _fonts(normal, DOCX_BODY_FONT)
    normal.font.size = Pt(16)
    return document


def notice_docx(notice: WarningNotice) -> bytes:
    """The notice as a Word document (A4, the official-document fonts)."""
    content = notice_content(notice)
    document = _docx_setup()
    document.core_properties.title = content.title  # type: ignore[attr-defined]
    head = document.add_paragraph()  # type: ignore[attr-defined]
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(head, f"{content.issuer}文件", font=DOCX_TITLE_FONT, size=30, bold=True, color=RED)
    number = document.add_paragraph()  # type: ignore[attr-defined]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(number, content.number, font=DOCX_BODY_FONT, size=16)
    _red_rule(number)
    title = document.add_paragraph()  # type: ignore[attr-defined]
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, content.title, font=DOCX_TITLE_FONT, size=22)
    _docx_body(document, ADDRESSEE, indent=False)
    _docx_body(
        document,
        "为落实学校安全风险“月度研判、分级预警”工作机制，现将本月全区学校安全风险预警通知如下：",
    )
    for index, section in enumerate(content.sections):
        _docx_body(document, section.heading, bold=True)
        for text in section.paragraphs:
            _docx_body(document, text)
        if index == 2 and content.schools and content.schools_inline:
            _docx_table(document, content.schools)
    for text in ("", content.issuer, content.issued_on):
        paragraph = document.add_paragraph()  # type: ignore[attr-defined]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(paragraph, text, font=DOCX_BODY_FONT, size=16)
    if content.schools and not content.schools_inline:
        breaker = document.add_paragraph()  # type: ignore[attr-defined]
        breaker.add_run().add_break(WD_BREAK.PAGE)
        _docx_body(document, "附件", indent=False, bold=True)
        heading = document.add_paragraph()  # type: ignore[attr-defined]
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(heading, "一级（红色）、二级（橙色）预警学校名单", font=DOCX_TITLE_FONT, size=18)
        _docx_table(document, content.schools)
    buffer = io.BytesIO()
    document.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()


def is_final(notice: WarningNotice) -> bool:
    """A draft's document is a preview: the bureau reads it before issuing."""
    return notice.status == NoticeStatus.ISSUED
