"""The names of the people in a lead: encrypted at rest, masked for every reader who is not
one of the lead's handlers, in full on the lead's page to a handler, each view audited."""

from __future__ import annotations

import importlib
import io
import json
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import translation
from openpyxl import load_workbook

from conftest import _person, login
from safecampus.audit.models import AuditEvent
from safecampus.cases.errors import CasePermissionDenied
from safecampus.cases.models import CaseEvent, Transfer
from safecampus.core import crypto
from safecampus.core.tests.test_rotate_field_keys import new_key, rotate
from safecampus.leads.models import Lead
from safecampus.leads.permissions import may_see_persons
from safecampus.leads.persons import persons_mask
from safecampus.leads.services import lead_accept, lead_assign_school, lead_transfer
from safecampus.leads.services.feedback import lead_transfer_act
from safecampus.leads.services.persons import lead_persons_reveal
from safecampus.leads.tests.test_api_actions import _as
from safecampus.leads.tests.test_excel import _upload, _workbook
from safecampus.leads.tests.test_portal import CLIENT
from safecampus.notifications.models import Notification
from safecampus.organizations.choices import Role

pytestmark = pytest.mark.django_db

INVOLVED = "赵铁柱、钱多多"
VICTIM = "孙小美"
NAMES = ("赵铁柱", "钱多多", "孙小美")
# Pages and the API answer in the UI's default language, Chinese.
INVOLVED_MASK = "共 2 人（姓名已隐藏）"
VICTIM_MASK = "共 1 人（姓名已隐藏）"
VIEWED = "leads.lead.persons_viewed"


def _reveals():
    return list(
        AuditEvent.objects.filter(action=VIEWED).order_by("id").values_list("actor_id", "object_id")
    )


def _plaintext_tables() -> dict[str, list[str]]:
    """Each table of the database in which any of ``NAMES`` is stored in clear, as raw
    SQL reads it (also as JSON escapes, the way a JSON column may keep it)."""
    forms = {name: (name, json.dumps(name)[1:-1]) for name in NAMES}
    found: dict[str, list[str]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {quote(table)}")  # introspected names, not input
            text = repr(cursor.fetchall())
            hits = [name for name, shapes in forms.items() if any(s in text for s in shapes)]
            if hits:
                found[table] = hits
    return found


@pytest.fixture
def named_lead(report_lead):
    return report_lead(persons_involved=INVOLVED, victims=VICTIM)


# --- the mask ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("", ""),
        ("   ", ""),
        ("张三", "1 person, name hidden"),
        ("张三、李四四 王小明明", "3 people, names hidden"),
        ("阿卜杜·热合曼，张三", "2 people, names hidden"),
        ("四年级学生", "(hidden)"),
        ("两名穿黑衣服的社会青年，骑电动车", "(hidden)"),
        ("张三（初二3班）", "(hidden)"),
        ("Tom", "(hidden)"),
    ],
)
def test_a_list_of_names_shows_its_count_and_free_text_is_hidden(text, masked):
    with translation.override("en"):
        assert persons_mask(text) == masked


# --- at rest ----------------------------------------------------------------------------


def test_no_plaintext_name_in_any_table_whichever_way_the_lead_came_in(
    client, district, safety_officer
):
    names = {"persons_involved": INVOLVED, "victims": VICTIM}
    report = {"category": "bullying_violence", "description": "厕所里有学生被围殴"}
    portal_page = client.post("/report/", report | names, **CLIENT)
    assert portal_page.status_code == 200 and "receipt" in portal_page.context
    public_api = client.post(
        "/api/v1/public/leads/", report | names, content_type="application/json", **CLIENT
    )
    assert public_api.status_code == 201, public_api.content
    login(client, safety_officer)
    form = client.post("/leads/new/", report | names | {"urgency": "normal", "source": "internal"})
    assert form.status_code == 302, form.content
    row = {
        "类别*": "bullying_violence",
        "情况描述*": "厕所里有学生被围殴",
        "涉及人员": INVOLVED,
        "受害人": VICTIM,
    }
    imported = client.post(
        "/api/v1/leads/import/", {"file": _upload(_workbook([row]))}, **_as(safety_officer)
    )
    assert imported.status_code == 201, imported.content
    sources = sorted(Lead.objects.values_list("source", flat=True))
    assert sources == ["import", "internal", "portal", "portal"]
    assert [(lead.persons_involved, lead.victims) for lead in Lead.objects.all()] == [
        (INVOLVED, VICTIM)
    ] * 4
    assert _plaintext_tables() == {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT persons_involved, victims FROM leads_lead")
        raw = cursor.fetchall()
    assert len(raw) == 4
    for persons_involved, victims in raw:
        assert crypto.decrypt(persons_involved, context="leads.lead.persons_involved") == INVOLVED
        assert crypto.decrypt(victims, context="leads.lead.victims") == VICTIM


def test_moves_notifications_and_timeline_carry_no_name(
    named_lead, district, safety_officer, police_liaison
):
    lead_accept(actor=safety_officer, lead=named_lead, note="受理")
    lead_transfer(actor=safety_officer, lead=named_lead, to_units=[district.police_station])
    assert Notification.objects.exists() and CaseEvent.objects.count() >= 3
    assert _plaintext_tables() == {}


def test_the_migration_encrypts_existing_rows_and_its_reverse_restores_them(
    named_lead, report_lead
):
    migration = importlib.import_module("safecampus.leads.migrations.0007_lead_persons_encrypted")
    other = report_lead()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead SET persons_involved = %s, victims = %s WHERE id = %s",
            [INVOLVED, VICTIM, named_lead.pk],
        )
    assert set(_plaintext_tables()) == {"leads_lead"}
    editor = SimpleNamespace(connection=connection)  # the functions use only its connection
    migration.encrypt_existing(None, editor)
    migration.encrypt_existing(None, editor)  # a second run finds nothing to do
    assert _plaintext_tables() == {}
    named_lead.refresh_from_db()
    other.refresh_from_db()
    assert (named_lead.persons_involved, named_lead.victims) == (INVOLVED, VICTIM)
    assert (other.persons_involved, other.victims) == ("", "")
    migration.decrypt_existing(None, editor)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT persons_involved, victims FROM leads_lead WHERE id = %s", [named_lead.pk]
        )
        assert cursor.fetchone() == (INVOLVED, VICTIM)


def test_key_rotation_reseals_the_names(settings, report_lead):
    lead = report_lead(persons_involved=INVOLVED, victims=VICTIM)
    settings.FIELD_ENCRYPTION_KEYS = [new_key("new"), *settings.FIELD_ENCRYPTION_KEYS]
    assert "leads.Lead.persons_involved: 1 re-sealed" in rotate()
    with connection.cursor() as cursor:
        cursor.execute("SELECT persons_involved, victims FROM leads_lead WHERE id = %s", [lead.pk])
        tokens = cursor.fetchone()
    assert [crypto.token_key_id(token) for token in tokens] == ["new", "new"]
    lead.refresh_from_db()
    assert (lead.persons_involved, lead.victims) == (INVOLVED, VICTIM)


# --- who is a handler -------------------------------------------------------------------


@pytest.fixture
def leader(district):
    return _person("leader", district.bureau, Role.BUREAU_LEADER, second_factor=True)


@pytest.fixture
def staff(district):
    return _person("staff", district.safety_section, Role.BUREAU_STAFF, second_factor=True)


@pytest.fixture
def principal_b(district):
    return _person("principal_b", district.school_b, Role.PRINCIPAL)


PEOPLE = (
    "safety_officer",
    "leader",
    "staff",
    "inspector",
    "officer_a",
    "principal_a",
    "teacher_a",
    "officer_b",
    "police_liaison",
    "auditor",
)


def _stage(stage, lead, district, safety_officer, police_liaison):
    """Walk ``lead`` to ``stage``: received, assigned to school A, transferred to the
    police station, or returned by it."""
    if stage == "received":
        return
    lead_accept(actor=safety_officer, lead=lead)
    if stage == "assigned":
        lead_assign_school(actor=safety_officer, lead=lead, school=district.school_a)
        return
    lead_transfer(actor=safety_officer, lead=lead, to_units=[district.police_station])
    if stage == "returned":
        transfer = Transfer.objects.for_case(lead).get()
        lead_transfer_act(
            actor=police_liaison,
            lead=lead,
            transfer_id=transfer.pk,
            action="return",
            note="不属本所管辖",
        )


#: Who is a handler of the lead at each stage (everyone else: the mask, or no lead at all).
HANDLERS = {
    "received": {"safety_officer"},
    "assigned": {"safety_officer", "officer_a"},
    "transferred": {"safety_officer", "police_liaison"},
    "returned": {"safety_officer"},
}


@pytest.mark.parametrize("stage", list(HANDLERS))
def test_permission_matrix_of_who_sees_the_names(
    request, stage, named_lead, district, safety_officer, police_liaison
):
    _stage(stage, named_lead, district, safety_officer, police_liaison)
    named_lead.refresh_from_db()
    users = {name: request.getfixturevalue(name) for name in PEOPLE}
    seeing = {name for name, user in users.items() if may_see_persons(user, named_lead)}
    assert seeing == HANDLERS[stage]


#: What asking for the names on the lead's page answers, by stage and person: 200 with the
#: names, 403 (no role that can handle a lead, or not this lead's handler), 404 (not seen).
PAGE = {
    "received": {"safety_officer": 200, "officer_a": 404, "officer_b": 404, "police_liaison": 404},
    "assigned": {"safety_officer": 200, "officer_a": 200, "officer_b": 404, "police_liaison": 404},
    "transferred": {
        "safety_officer": 200,
        "officer_a": 404,
        "officer_b": 404,
        "police_liaison": 200,
    },
    "returned": {"safety_officer": 200, "officer_a": 404, "officer_b": 404, "police_liaison": 403},
}
NO_HANDLER_ROLE = ("leader", "staff", "inspector", "principal_a", "teacher_a", "auditor")


@pytest.mark.parametrize("stage", list(PAGE))
def test_permission_matrix_of_the_names_on_the_lead_page(
    client, request, stage, named_lead, district, safety_officer, police_liaison
):
    _stage(stage, named_lead, district, safety_officer, police_liaison)
    expected = PAGE[stage] | dict.fromkeys(NO_HANDLER_ROLE, 403)
    answered, revealed = {}, []
    for name in PEOPLE:
        user = request.getfixturevalue(name)
        login(client, user)
        before = len(_reveals())
        response = client.post(f"/leads/{named_lead.pk}/names/")
        answered[name] = response.status_code
        body = response.content.decode()
        if response.status_code == 200:
            assert _names_on(response) == (INVOLVED, VICTIM)
            revealed.append(name)
        else:
            assert not any(n in body for n in NAMES), name
        assert len(_reveals()) == before + (response.status_code == 200)
    assert answered == expected
    assert [row[0] for row in _reveals()] == [request.getfixturevalue(name).pk for name in revealed]


def test_a_school_that_reported_but_was_not_given_the_lead_sees_the_mask(
    report_lead, district, officer_a
):
    own = report_lead(actor=officer_a, persons_involved=INVOLVED, victims=VICTIM)
    assert own.unit == district.school_a and own.assignee_unit_id is None
    assert not may_see_persons(officer_a, own)


# --- the lead page ----------------------------------------------------------------------


def _names_on(page) -> tuple[str, str]:
    return (page.context["names"]["persons_involved"], page.context["names"]["victims"])


def test_a_handler_sees_the_mask_until_asking_then_the_names_and_one_audit_row(
    client, named_lead, safety_officer
):
    login(client, safety_officer)
    page = client.get(f"/leads/{named_lead.pk}/")
    assert _names_on(page) == (INVOLVED_MASK, VICTIM_MASK)
    body = page.content.decode()
    assert not any(name in body for name in NAMES)
    assert f'action="/leads/{named_lead.pk}/names/"' in body and _reveals() == []

    shown = client.post(f"/leads/{named_lead.pk}/names/")
    assert shown.status_code == 200 and shown["Cache-Control"] == "no-store"
    assert _names_on(shown) == (INVOLVED, VICTIM)
    assert all(name in shown.content.decode() for name in NAMES)
    (row,) = AuditEvent.objects.filter(action=VIEWED)
    assert (row.actor_id, row.object_id) == (safety_officer.pk, str(named_lead.pk))
    assert row.changes == {"fields": ["persons_involved", "victims"]}
    assert _plaintext_tables() == {}  # the audit row names the fields, never the names


def test_a_reader_who_is_not_a_handler_sees_the_mask_and_no_reveal_is_recorded(
    client, named_lead, report_lead, inspector, officer_a
):
    login(client, inspector)
    page = client.get(f"/leads/{named_lead.pk}/")
    assert _names_on(page) == (INVOLVED_MASK, VICTIM_MASK)
    assert "/names/" not in page.content.decode()
    assert client.post(f"/leads/{named_lead.pk}/names/").status_code == 403
    # a role that can handle leads, on a lead it sees but does not handle: the mask, 403
    own = report_lead(actor=officer_a, persons_involved=INVOLVED, victims=VICTIM)
    login(client, officer_a)
    refused = client.post(f"/leads/{own.pk}/names/")
    assert refused.status_code == 403 and _names_on(refused) == (INVOLVED_MASK, VICTIM_MASK)
    assert not any(name in refused.content.decode() for name in NAMES)
    with pytest.raises(CasePermissionDenied):
        lead_persons_reveal(actor=officer_a, lead=own)
    assert _reveals() == []


def test_the_assigned_schools_officer_is_a_handler_on_the_page(
    client, named_lead, district, safety_officer, officer_a
):
    lead_accept(actor=safety_officer, lead=named_lead)
    lead_assign_school(actor=safety_officer, lead=named_lead, school=district.school_a)
    login(client, officer_a)
    shown = client.post(f"/leads/{named_lead.pk}/names/")
    assert shown.status_code == 200 and _names_on(shown) == (INVOLVED, VICTIM)
    assert _reveals() == [(officer_a.pk, str(named_lead.pk))]


# --- lists, exports, the API ------------------------------------------------------------


def test_the_ledger_and_its_export_carry_no_name(client, named_lead, safety_officer):
    login(client, safety_officer)
    ledger = client.get("/leads/")
    assert ledger.status_code == 200 and named_lead.reference in ledger.content.decode()
    assert not any(name in ledger.content.decode() for name in NAMES)
    export = client.get("/leads/export/")
    book = load_workbook(io.BytesIO(b"".join(export.streaming_content)))
    cells = [str(c) for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert named_lead.reference in cells
    assert not any(name in cell for cell in cells for name in NAMES)
    assert _reveals() == []


def test_the_api_list_masks_for_everyone_and_the_detail_shows_a_handler_once_audited(
    client, named_lead, safety_officer, inspector
):
    listed = client.get("/api/v1/leads/", **_as(safety_officer)).json()["results"]
    assert [(r["persons_involved"], r["victims"]) for r in listed] == [(INVOLVED_MASK, VICTIM_MASK)]
    url = f"/api/v1/leads/{named_lead.reference}/"
    reader = client.get(url, **_as(inspector)).json()
    assert (reader["persons_involved"], reader["victims"]) == (INVOLVED_MASK, VICTIM_MASK)
    assert _reveals() == []
    handler = client.get(url, **_as(safety_officer)).json()
    assert (handler["persons_involved"], handler["victims"]) == (INVOLVED, VICTIM)
    assert _reveals() == [(safety_officer.pk, str(named_lead.pk))]
    moved = client.post(
        f"/api/v1/leads/{named_lead.reference}/actions/",
        {"action": "accept"},
        content_type="application/json",
        **_as(safety_officer),
    ).json()
    assert (moved["status"], moved["persons_involved"]) == ("accepted", INVOLVED_MASK)
    assert len(_reveals()) == 1
