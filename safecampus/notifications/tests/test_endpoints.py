import pytest
from django.db import connection

from safecampus.audit.models import AuditEvent
from safecampus.notifications.models import WebhookEndpoint
from safecampus.notifications.services import NotificationError, webhook_endpoint_create
from safecampus.organizations.choices import Role
from safecampus.organizations.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def system_admin(district):
    user = UserFactory(username="system_admin")
    MembershipFactory(user=user, unit=district.bureau, role=Role.SYSTEM_ADMIN)
    return user


def test_a_system_admin_adds_an_endpoint_with_an_encrypted_secret(system_admin, district):
    endpoint = webhook_endpoint_create(
        actor=system_admin,
        name="区教育局OA",
        url="https://oa.xb.example.cn/hooks/safecampus",
        secret="whsec-live-secret",
        unit=district.school_a,
        verbs=["cases.*"],
    )
    assert WebhookEndpoint.objects.get().secret == "whsec-live-secret"
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM notifications_webhookendpoint")
        stored = cursor.fetchone()[0]
    assert "whsec-live-secret" not in stored
    event = AuditEvent.objects.get(action="notifications.webhookendpoint.created")
    assert event.object_id == str(endpoint.pk)
    assert event.changes == {
        "url": "https://oa.xb.example.cn/hooks/safecampus",
        "verbs": ["cases.*"],
        "secret": "***",
    }


@pytest.mark.parametrize("url", ["ftp://oa.example.cn/x", "file:///etc/passwd", "not a url"])
def test_only_http_urls_are_accepted(system_admin, url):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        webhook_endpoint_create(actor=system_admin, name="x", url=url, secret="s")
    assert WebhookEndpoint.objects.count() == 0


def test_other_roles_cannot_add_endpoints(safety_officer, officer_a):
    for actor in (safety_officer, officer_a):
        with pytest.raises(NotificationError):
            webhook_endpoint_create(actor=actor, name="x", url="https://a.example.cn/", secret="s")
    assert WebhookEndpoint.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="notifications.").exists()


@pytest.mark.parametrize(
    ("verbs", "verb", "accepted"),
    [
        ([], "cases.case.created", True),
        (["cases.*"], "cases.case.created", True),
        (["cases.*"], "clues.clue.created", False),
        (["cases.case.created"], "cases.case.created", True),
        (["cases.case.created"], "cases.case.closed", False),
    ],
)
def test_verb_filter(verbs, verb, accepted):
    assert WebhookEndpoint(verbs=verbs).accepts(verb) is accepted
