"""Named personas, so that a test reads like a story.

The bureau safety officer, the officer and a teacher of school A, the officer
of school B, a police liaison, an auditor and an anonymous visitor. People whose
roles need a second factor get a confirmed TOTP device; ``login(client, person)``
signs them in with a verified session.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test import Client
from django.test.testcases import LiveServerThread
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from huey.contrib.djhuey import HUEY

from safecampus.organizations.choices import Role, UnitKind
from safecampus.organizations.tests.factories import (
    AgencyFactory,
    BureauFactory,
    MembershipFactory,
    SchoolFactory,
    UnitFactory,
    UserFactory,
)

# Each test clears the cache; parallel workers must not clear each other's Redis database.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if settings.REDIS_URL and _worker.startswith("gw"):
    _base = settings.REDIS_URL.rsplit("/", 1)[0]
    settings.CACHES["default"]["LOCATION"] = f"{_base}/{2 + int(_worker[2:])}"


class _OneRequestAtATimeServer(ThreadedWSGIServer):
    """live_server's threaded server, except that on SQLite's in-memory test database two
    requests never run at once. Each server thread opens its own connection to that
    shared-cache database, whose locks are per table and do not wait: a page and the photo
    it shows, loaded together, failed with "database table is locked" or "cannot open
    savepoint" (a 500 in a browser test, CI 2026-12-07). Connections are still accepted
    in threads, so an idle keep-alive socket blocks nobody; the lock is held from the
    application's call until its body is read and closed. PostgreSQL is left threaded."""

    _lock = threading.Lock()

    def set_app(self, application):
        lock = self._lock

        def one_at_a_time(environ, start_response):
            if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
                return application(environ, start_response)
            with lock:
                result = application(environ, start_response)
                try:
                    body = b"".join(result)
                finally:
                    if hasattr(result, "close"):
                        result.close()
            return [body]

        super().set_app(one_at_a_time)


LiveServerThread.server_class = _OneRequestAtATimeServer


# Tasks run inline in tests unless a test starts a real consumer. (Settings are loaded
# before this file, so the switch is made on the Huey instance itself.)
HUEY.immediate = True


@dataclass
class District:
    bureau: object
    safety_section: object
    school_a: object
    school_b: object
    police_station: object


@pytest.fixture
def district(db) -> District:
    bureau = BureauFactory()
    section = UnitFactory(
        code="JY-AJK", name="职社科（安监科）", parent=bureau, is_safety_section=True
    )
    station = AgencyFactory(code="GA-SJ", name="三井派出所", parent=None)
    school_a = SchoolFactory(
        unit__code="XB-001", unit__name="新北区实验小学", police_station=station
    )
    school_b = SchoolFactory(unit__code="XB-002", unit__name="新北区河海中学", school_kind="junior")
    return District(bureau, section, school_a.unit, school_b.unit, station)


def _person(username: str, unit, role: str, *, second_factor: bool = False, **extra):
    user = UserFactory(username=username, **extra)
    MembershipFactory(user=user, unit=unit, role=role)
    if second_factor:
        TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    return user


@pytest.fixture
def safety_officer(district):
    return _person(
        "safety_officer",
        district.safety_section,
        Role.BUREAU_SAFETY_OFFICER,
        second_factor=True,
        full_name="王安全",
        phone="13800138000",
    )


@pytest.fixture
def officer_a(district):
    return _person(
        "officer_a", district.school_a, Role.SCHOOL_OFFICER, full_name="李专人", phone="13900139001"
    )


@pytest.fixture
def principal_a(district):
    return _person("principal_a", district.school_a, Role.PRINCIPAL, full_name="张校长")


@pytest.fixture
def teacher_a(district):
    return _person("teacher_a", district.school_a, Role.TEACHER, full_name="赵老师")


@pytest.fixture
def officer_b(district):
    return _person("officer_b", district.school_b, Role.SCHOOL_OFFICER, full_name="陈专人")


@pytest.fixture
def police_liaison(district):
    return _person(
        "police_liaison",
        district.police_station,
        Role.PARTNER_LIAISON,
        second_factor=True,
        full_name="刘警官",
    )


@pytest.fixture
def inspector(district):
    """The supervising inspector (责任督学) of the district's schools, in the bureau."""
    return _person(
        "inspector", district.bureau, Role.INSPECTOR, second_factor=True, full_name="孙督学"
    )


@pytest.fixture
def bureau_leader(district):
    return _person(
        "bureau_leader", district.bureau, Role.BUREAU_LEADER, second_factor=True, full_name="钱局长"
    )


@pytest.fixture
def auditor(district):
    return _person("auditor", district.bureau, Role.AUDITOR, second_factor=True, full_name="周审计")


@pytest.fixture
def outsider(db):
    """Signed in, but with a role this code does not know: must see nothing."""
    unit = UnitFactory(code="ZZ-1", kind=UnitKind.SECTION)
    user = UserFactory(username="outsider")
    MembershipFactory(user=user, unit=unit, role="janitor")
    return user


def login(client: Client, user) -> Client:
    """Sign in as ``user``; a verified second factor is recorded where the role needs one."""
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def as_user(client):
    def sign_in(user):
        return login(client, user)

    return sign_in


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Mark the throwaway test database so that transactional tests may flush the audit trail."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("INSERT INTO audit_test_database (marked_at) VALUES ('pytest')")


@pytest.fixture(autouse=True)
def _settings_for_tests(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "attachments"
    cache.clear()  # a test never reads what another test cached
    # Argon2 is deliberately slow; tests of hashing itself ask for it explicitly.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
