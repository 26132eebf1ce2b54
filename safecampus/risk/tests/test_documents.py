"""The monthly warning notice as a formal document: PDF (read back with pypdf) and DOCX
(read back with python-docx), their downloads and the audited read."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
import time_machine
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from conftest import login
from safecampus.audit.models import AuditEvent
from safecampus.organizations.tests.factories import SchoolFactory
from safecampus.risk.choices import WarningLevel
from safecampus.risk.documents import INLINE_SCHOOLS, notice_docx, notice_pdf
from safecampus.risk.services import notices as services
from safecampus.risk.tests.test_notices import APRIL, ISSUE_AT, RED_FACTORS, grade

TITLE = "关于2026年4月全区学校安全风险预警的通知"


@pytest.fixture
def notice(district, safety_officer):
    grade(district.school_a, WarningLevel.RED, RED_FACTORS)
    grade(district.school_b, WarningLevel.BLUE)
    with time_machine.travel(ISSUE_AT, tick=False):
        draft = services.notice_draft(actor=safety_officer, month=APRIL)
        return services.notice_issue(actor=safety_officer, notice=draft)


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(texts)


def test_pdf_has_the_official_parts(notice):
    data = notice_pdf(notice)
    assert data.startswith(b"%PDF")
    text = pdf_text(data).replace("\n", "")
    for expected in (
        "常州市新北区教育局文件",
        "新教安〔2026〕4号",
        TITLE,
        "各中小学、幼儿园：",
        "新北区实验小学",
        "一级（红色）",
        "2026年4月20日",
        "2026年4月3日",
    ):
        assert expected in text, expected
    assert "新北区河海中学" not in text  # blue: only in the counts


def test_docx_has_the_official_parts_and_east_asian_fonts(notice):
    data = notice_docx(notice)
    text = docx_text(data)
    for expected in ("常州市新北区教育局文件", TITLE, "新北区实验小学", "2026年4月20日"):
        assert expected in text, expected
    document = Document(io.BytesIO(data))
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    assert len(document.tables) == 1
    assert [c.text for c in document.tables[0].rows[1].cells][:3] == [
        "1",
        "新北区实验小学",
        "一级（红色）",
    ]


def test_a_long_school_list_moves_to_an_attachment(notice, safety_officer, district):
    from safecampus.risk.models import SchoolWarning

    schools = [SchoolFactory().unit for _ in range(INLINE_SCHOOLS + 2)]
    SchoolWarning.objects.filter(notice=notice).delete()
    for school in [district.school_a, *schools]:
        SchoolWarning.objects.create(
            title=notice.title,
            unit=school,
            notice=notice,
            level=WarningLevel.ORANGE,
            status="issued",
            reasons="原因",
            measures_required="措施",
        )
    pdf = PdfReader(io.BytesIO(notice_pdf(notice)))
    assert len(pdf.pages) >= 2
    assert "附件" in pdf.pages[-1].extract_text()
    document = Document(io.BytesIO(notice_docx(notice)))
    assert len(document.tables[0].rows) == INLINE_SCHOOLS + 4  # heading + 13 schools


def test_downloads_are_attachments_with_chinese_names_and_audited(notice, officer_b, client):
    login(client, officer_b)
    pdf = client.get(f"/risk/notices/{notice.pk}/notice.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == "attachment; filename*=UTF-8''" + quote(
        f"{TITLE}.pdf", safe=""
    )
    assert pdf["X-Content-Type-Options"] == "nosniff"
    docx = client.get(f"/risk/notices/{notice.pk}/notice.docx")
    assert docx.status_code == 200
    assert docx["Content-Disposition"].endswith(quote(f"{TITLE}.docx", safe=""))
    reads = AuditEvent.objects.filter(action="risk.warningnotice.field_viewed")
    assert reads.count() == 2
