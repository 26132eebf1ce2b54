import pytest
from django.db import DatabaseError, connection, transaction

from safecampus.audit.models import AuditEvent
from safecampus.audit.services import audit_record, audit_verify


@pytest.mark.django_db
def test_chain_holds_and_rows_cannot_be_updated(safety_officer):
    for i in range(3):
        audit_record(actor=safety_officer, action="tests.thing.created", changes={"n": i})
    report = audit_verify()
    assert report.ok and report.checked == 3
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(action="tests.thing.created").update(action="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_auditevent")
        assert cursor.fetchone()[0] == 3
