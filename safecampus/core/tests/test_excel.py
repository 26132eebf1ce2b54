"""The core's column-generic Excel import reader: header matching, row errors by row and
column, all or nothing, the guards on the upload, and the template-writing helpers."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook, load_workbook

from safecampus.core import excel
from safecampus.core.excel import CellError, Column, WorkbookError

SCHOOL = pgettext_lazy("device import", "School")  # 学校 in Chinese
COLUMNS = (
    Column("school", SCHOOL, 20, marked=True),
    Column("name", "名称", 20, marked=True),
    Column("count", "数量", 10),
    Column("longitude", "经度", 12, required=False),
    Column("latitude", "纬度", 12, required=False),
)
HEADER = ["学校*", "名称*", "数量", "经度", "纬度"]
SCHOOLS = {"xb-001": "school A", "河海中学": "school B"}


def _count(value):
    text = excel.cell_text(value)
    if not text.isdigit():
        raise CellError("不是整数。")
    return int(text)


PARSERS = {
    "school": excel.lookup_parser(SCHOOLS, blank="请填写学校。", unknown="未知的学校。"),
    "name": excel.text_parser(5, blank="请填写名称。"),
    "count": _count,
    "latitude": excel.latitude_parser(),
    "longitude": excel.longitude_parser(),
}


def _book(rows, *, header=HEADER, sheet_title="Sheet"):
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    if header is not None:
        sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _read(content, *, max_rows=10, check=excel.position_check, **kwargs):
    with translation.override("zh-hans"):
        return excel.workbook_read(
            io.BytesIO(content),
            size=len(content),
            columns=COLUMNS,
            parsers=PARSERS,
            check=check,
            max_rows=max_rows,
            empty_message="工作簿中没有数据。",
            too_many_message="超过 %(limit)d 行。",
            **kwargs,
        )


def _refusal(content, **kwargs):
    with pytest.raises(WorkbookError) as refused:
        _read(content, **kwargs)
    return refused.value.code, str(refused.value.message)


def test_clean_rows_come_back_parsed_with_their_excel_row_number():
    read = _read(_book([["XB-001", "东门", 3, 119.97, "31.81"], [], ["河海中学", "西门", "12"]]))
    assert read.errors == []
    assert read.rows == [
        {
            "row": 2,
            "school": "school A",
            "name": "东门",
            "count": 3,
            "longitude": Decimal("119.970000"),
            "latitude": Decimal("31.810000"),
        },
        {"row": 4, "school": "school B", "name": "西门", "count": 12}
        | dict.fromkeys(("longitude", "latitude")),
    ]


def test_one_bad_row_returns_no_row_and_every_error_by_row_and_column():
    read = _read(
        _book(
            [
                ["XB-001", "东门", 3],
                ["XB-999", "", "三"],
                [None, "太长的名称啊", 1, 119.9],
                ["XB-001", "北门", 1, 200, 31.8],
            ]
        )
    )
    assert read.rows == []  # all or nothing: the good first row does not come back
    assert [(e.row, e.column, e.message) for e in read.errors] == [
        (3, "学校", "未知的学校。"),
        (3, "名称", "请填写名称。"),
        (3, "数量", "不是整数。"),
        (4, "学校", "请填写学校。"),
        (4, "名称", "过长：最多 5 个字符。"),
        (4, "纬度", "经度和纬度要么都填，要么都不填。"),
        (5, "经度", "经度须是 -180 到 180 之间的数。"),
    ]
    assert read.errors[0].as_dict() == {"row": 3, "column": "学校", "message": "未知的学校。"}


def test_a_row_check_sees_the_raw_cells_and_its_errors_sort_by_column():
    def check(row, cells, fail):
        if row["count"] == 0:
            fail("school", f"数量为零：{cells['count']!r}")

    read = _read(_book([["XB-001", "东门", "0"]]), check=check)
    assert [(e.row, e.column, e.message) for e in read.errors] == [(2, "学校", "数量为零：'0'")]


def test_missing_required_columns_are_named_on_row_one_and_nothing_else_is_read():
    read = _read(_book([["东门", "x"]], header=["名称*", "经度"]))
    assert read.rows == []
    assert [(e.row, e.column, e.message) for e in read.errors] == [
        (1, "学校", "缺少此列，请使用模板。"),
        (1, "数量", "缺少此列，请使用模板。"),
    ]


def test_headers_match_in_every_language_with_or_without_the_mark():
    read = _read(_book([["XB-001", "东门", 1]], header=["School", " 名 称 ＊", "数量"]))
    assert read.errors == [] and read.rows[0]["school"] == "school A"


def test_the_input_sheet_is_found_by_its_title_in_any_language():
    book = Workbook()
    book.active.title = "说明"
    sheet = book.create_sheet("School")
    sheet.append(HEADER)
    sheet.append(["XB-001", "东门", 1])
    out = io.BytesIO()
    book.save(out)
    assert _read(out.getvalue(), sheet=SCHOOL).rows[0]["name"] == "东门"


def test_too_many_rows_and_no_rows_are_refused_with_the_callers_messages():
    assert _refusal(_book([["XB-001", "东门", 1]] * 3), max_rows=2) == (
        "too_many_rows",
        "超过 2 行。",
    )
    assert _refusal(_book([])) == ("empty", "工作簿中没有数据。")
    assert _refusal(_book([], header=None)) == ("empty", "工作簿中没有数据。")


def _zip(members, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _types(main):
    return f'<Types><Override PartName="/xl/workbook.xml" ContentType="{main}"/></Types>'


SPREADSHEET = _types("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml")
MACRO_BOOK = _types("application/vnd.ms-excel.sheet.macroEnabled.main+xml")


def _bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", SPREADSHEET)
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
    source = zipfile.ZipFile(io.BytesIO(_book([])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            is_sheet = info.filename == "xl/worksheets/sheet1.xml"
            archive.writestr(info.filename, sheet if is_sheet else source.read(info))
    return out.getvalue()


NOT_XLSX = "这不是 Excel 工作簿（.xlsx）。请下载模板填写后上传。"


@pytest.mark.parametrize(
    "make,code,message",
    [
        (lambda: b"", "empty_file", "文件为空。"),
        (lambda: b"\x00\x01garbage" * 100, "not_xlsx", NOT_XLSX),
        (lambda: _zip({"a.txt": "x"}), "not_xlsx", NOT_XLSX),
        (lambda: _zip({"[Content_Types].xml": MACRO_BOOK}), "not_xlsx", NOT_XLSX),
        (
            lambda: _zip({"[Content_Types].xml": SPREADSHEET, "xl/workbook.xml": "<"}),
            "corrupt",
            "工作簿已损坏，无法读取。",
        ),
        (_bomb, "too_large", "工作簿解压后过大。"),
        (_entity_bomb, "corrupt", "工作簿已损坏，无法读取。"),
    ],
    ids=["empty", "garbage", "zip", "macro-workbook", "damaged", "zip-bomb", "entity-bomb"],
)
def test_an_upload_that_is_no_workbook_is_refused_before_any_row(make, code, message):
    assert _refusal(make()) == (code, message)


def test_a_file_past_the_size_limit_is_refused_unread():
    too_big = b"PK\x03\x04" + b"\x00" * excel.MAX_IMPORT_BYTES
    with translation.override("zh-hans"), pytest.raises(WorkbookError) as refused:
        excel.package_check(io.BytesIO(too_big), len(too_big))
    assert (refused.value.code, str(refused.value.message)) == ("too_large", "文件大于 5.0\xa0MB。")


def test_choice_tables_know_values_and_labels_in_every_language():
    table = excel.choice_table([("urgent", pgettext_lazy("device import", "School"))])
    assert table["urgent"] == table["school"] == table["学校"] == "urgent"
    parse = excel.lookup_parser(table, unknown="?", default="normal")
    assert (parse(None), parse(" 学 校 ")) == ("normal", "urgent")
    with pytest.raises(CellError):
        parse("别的")
    people = excel.lookup_table([("XB-001", "东门小学"), ("XB-002", "东门小学")], lambda s: s)
    assert people == {
        "xb-001": ("XB-001", "东门小学"),
        "东门小学": ("XB-001", "东门小学"),  # the first school of that name wins
        "xb-002": ("XB-002", "东门小学"),
    }


def test_safe_text_and_formula_like_text():
    assert excel.safe_text(None) == ""
    assert excel.safe_text("a\x00b\x1fc") == "abc"
    assert len(excel.safe_text("x" * (excel.CELL_MAX + 5))) == excel.CELL_MAX
    assert excel.is_formula_like("=SUM(A1)") and not excel.is_formula_like("总计")
    assert excel.cell_text(12.0) == "12" and excel.cell_text("  a ") == "a"


def test_template_helpers_write_the_header_and_a_list_validation():
    book = Workbook()
    sheet = book.active
    with translation.override("zh-hans"):
        excel.header_row(sheet, [c.header for c in COLUMNS], [c.width for c in COLUMNS])
    ref = excel.list_ref("列表", "C", 0)
    assert ref == "'列表'!$C$2:$C$2"
    validation = excel.list_validation(ref, column=2, rows=500, prompt="不在列表中", title="名称*")
    sheet.add_data_validation(validation)
    out = io.BytesIO()
    book.save(out)
    again = load_workbook(io.BytesIO(out.getvalue()))
    written = again.active
    assert [c.value for c in written[1]] == ["学校*", "名称*", "数量", "经度", "纬度"]
    assert written.freeze_panes == "A2" and written.column_dimensions["A"].width == 20
    (kept,) = written.data_validations.dataValidation
    assert (kept.formula1, str(kept.sqref), kept.errorStyle) == (ref, "B2:B501", "warning")
    assert (kept.error, kept.errorTitle, kept.showErrorMessage) == ("不在列表中", "名称*", True)


def test_xlsx_response_is_a_download_that_is_not_sniffed():
    response = excel.xlsx_response(io.BytesIO(b"x"), filename="线索 台账.xlsx", no_store=True)
    assert response["Content-Type"] == excel.XLSX_MIME
    assert response["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%E7%BA%BF%E7%B4%A2%20%E5%8F%B0%E8%B4%A6.xlsx"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
