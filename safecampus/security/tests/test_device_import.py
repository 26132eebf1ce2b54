"""Registering devices from Excel: every row or none, each error by row and column, and
the codes with their secrets shown once on the answer page."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook

from conftest import login
from safecampus.audit.models import AuditEvent
from safecampus.security.models import Device
from safecampus.security.services.devices import device_register
from safecampus.security.services.imports import DeviceImportRejected, device_import_workbook
from safecampus.security.services.ingest import device_authenticate

pytestmark = pytest.mark.django_db
EN = {"django_language": "en"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _template(client) -> bytes:
    response = client.get("/security/devices/import/template/")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    return b"".join(response.streaming_content)


def _filled(template: bytes, rows: list[list[object]]) -> SimpleUploadedFile:
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("devices.xlsx", out.getvalue(), content_type=XLSX)


GOOD = [
    # school, kind, name, zone, protocol, vendor, heartbeat, longitude, latitude, code
    [
        "XB-001",
        "Camera with video analytics",
        "东门枪机",
        "校门",
        "",
        "海康",
        30,
        119.97,
        31.81,
        "",
    ],
    [
        "新北区实验小学",
        "panic_button",
        "门卫室一键报警",
        "门卫室",
        "Hikvision ISAPI",
        "",
        "",
        "",
        "",
        "xb-001-sos9",
    ],
]


def test_the_template_lists_the_officers_own_school_only(client, officer_a, district):
    client.cookies.load(EN)
    login(client, officer_a)
    workbook = load_workbook(io.BytesIO(_template(client)))
    header = [c.value for c in workbook.worksheets[0][1]]
    assert header[:3] == ["School*", "Kind*", "Device name*"]
    schools = [c.value for c in workbook.worksheets[1]["A"][1:] if c.value]
    assert "XB-001" in schools and "XB-002" not in schools


def test_every_row_is_registered_and_the_secrets_are_shown_once(client, officer_a, district):
    client.cookies.load(EN)
    login(client, officer_a)
    upload = _filled(_template(client), GOOD)
    response = client.post("/security/devices/import/", {"file": upload})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    devices = {d.name: d for d in Device.objects.all()}
    assert set(devices) == {"东门枪机", "门卫室一键报警"}
    sos = devices["门卫室一键报警"]
    assert (sos.code, sos.protocol, sos.heartbeat_seconds) == ("XB-001-SOS9", "hikvision", 60)
    assert sos.digest_ha1  # a Hikvision device can do Digest
    camera = devices["东门枪机"]
    assert (camera.kind, camera.heartbeat_seconds, str(camera.latitude)) == (
        "camera",
        30,
        "31.810000",
    )
    # the one-time text download holds "code secret" lines, and each secret works
    block = page[page.index('id="sc-secrets"') :]
    block = block[block.index(">") + 1 : block.index("</pre>")]
    lines = dict(line.split(" ") for line in block.strip().splitlines())
    assert set(lines) == {camera.code, sos.code}
    assert all(device_authenticate(code, secret) for code, secret in lines.items())
    assert AuditEvent.objects.filter(action="security.device.imported").count() == 1


def test_a_bad_row_imports_nothing_and_lists_every_error(client, officer_a, district):
    client.cookies.load(EN)
    login(client, officer_a)
    device_register(
        actor=None, school=district.school_a, kind="camera", name="旧", code="XB-001-OLD"
    )
    rows = [
        *GOOD,
        ["XB-002", "camera", "别校设备", "", "", "", "", "", "", ""],
        ["XB-001", "toaster", "", "", "", "", 2, 119.9, "", "XB-001-SOS9"],
    ]
    response = client.post("/security/devices/import/", {"file": _filled(_template(client), rows)})
    assert response.status_code == 400
    assert Device.objects.count() == 1
    with translation.override("en"):
        try:
            device_import_workbook(
                actor=officer_a, upload=_filled(_template(client), rows).file, size=10_000
            )
        except DeviceImportRejected as rejected:
            errors = {(e.row, e.column) for e in rejected.errors}
        else:
            pytest.fail("the import was not refused")
    assert errors == {
        (4, "School"),
        (5, "Kind"),
        (5, "Device name"),
        (5, "Heartbeat (seconds)"),
        (5, "Latitude"),
        (5, "Device code (optional)"),
    }
    page = response.content.decode()
    assert "no device was registered" in page and 'data-testid="row-errors"' in page


def test_a_code_already_taken_refuses_the_workbook(client, officer_a, district):
    login(client, officer_a)
    device_register(
        actor=None, school=district.school_a, kind="camera", name="旧", code="XB-001-SOS9"
    )
    response = client.post("/security/devices/import/", {"file": _filled(_template(client), GOOD)})
    assert response.status_code == 400 and Device.objects.count() == 1


def test_not_a_workbook_and_not_a_manager(client, officer_a, teacher_a, district):
    login(client, officer_a)
    fake = SimpleUploadedFile("devices.xlsx", b"hello", content_type=XLSX)
    assert client.post("/security/devices/import/", {"file": fake}).status_code == 400
    client.logout()
    login(client, teacher_a)
    assert client.get("/security/devices/import/").status_code == 403
    assert not Device.objects.exists()
