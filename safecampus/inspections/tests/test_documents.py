"""The rectification notice as a PDF: Chinese text, wrapping, page breaks, the download."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from conftest import login
from safecampus.audit.models import AuditEvent
from safecampus.inspections.choices import HazardCategory, HazardLevel
from safecampus.inspections.documents import rectification_notice_pdf
from safecampus.inspections.services.hazards import hazard_register
from safecampus.inspections.services.rectification import rectification_issue

TZ = ZoneInfo("Asia/Shanghai")


def _text(data: bytes) -> tuple[str, int]:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages), len(reader.pages)


def _notice(actor, school, descriptions, level=HazardLevel.GENERAL):
    hazards = [
        hazard_register(
            actor=actor,
            school=school,
            category=HazardCategory.FIRE,
            level=level,
            description=text,
            place="教学楼二楼",
            interim_measure="设置警戒线" if level == HazardLevel.MAJOR else "",
            interim_responsible="张校长" if level == HazardLevel.MAJOR else "",
        )
        for text in descriptions
    ]
    return rectification_issue(actor=actor, hazards=hazards)


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 3, 10, 9, 30, tzinfo=TZ), tick=False)
def test_notice_pdf_has_the_chinese_text(district, inspector):
    notice = _notice(inspector, district.school_a, ["消防通道堆放杂物", "灭火器过期未更换"])
    data = rectification_notice_pdf(notice)
    text, pages = _text(data)
    assert data.startswith(b"%PDF")
    assert pages == 1
    for expected in (
        "常州市新北区教育局",
        "新北区实验小学：",
        "整改通知书",
        "消防通道堆放杂物",
        "灭火器过期未更换",
        "2026年3月24日",
        f"新教安整〔2026〕{notice.reference}号",
        "（盖章）",
        "2026年3月10日",
    ):
        assert expected in text.replace("\n", ""), expected


@pytest.mark.django_db
def test_thirty_hazards_take_more_than_one_page(district, inspector):
    long = "配电房门锁损坏且无警示标识，电缆沟盖板缺失，存在触电和跌落风险，须立即整改" * 2
    notice = _notice(
        inspector, district.school_a, [f"{n}号：{long}" for n in range(1, 31)], HazardLevel.MAJOR
    )
    text, pages = _text(rectification_notice_pdf(notice))
    assert pages >= 2
    flat = text.replace("\n", "")
    assert "30号：配电房门锁损坏" in flat
    assert "临时管控措施" in flat


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 3, 10, 9, 30, tzinfo=TZ), tick=False)
def test_pdf_download_is_an_audited_attachment(client, district, inspector, officer_a, officer_b):
    notice = _notice(inspector, district.school_a, ["消防通道堆放杂物"])
    url = f"/inspections/rectifications/{notice.pk}/notice.pdf"
    login(client, officer_b)
    assert client.get(url).status_code == 404
    login(client, officer_a)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''"
        "%E6%95%B4%E6%94%B9%E9%80%9A%E7%9F%A5%E4%B9%A6-" + notice.reference + ".pdf"
    )
    assert (
        b"".join(response.streaming_content if response.streaming else [response.content])[:4]
        == b"%PDF"
    )
    assert (
        AuditEvent.objects.filter(
            action="inspections.rectification.field_viewed", actor_id=officer_a.pk
        ).count()
        == 1
    )
