"""The brokers' device logins follow the registry: written when a secret is known, rewritten
after every change of who may log in (tests/ingest/test_logins.py runs them on a real
broker)."""

from __future__ import annotations

import base64
import hashlib
import io
import subprocess
import sys

import bcrypt
import pytest
from django.core.management import call_command

from conftest import login
from safecampus.security.models import Device
from safecampus.security.services.brokers import (
    PendingSync,
    broker_logins_sync,
    broker_reload,
    write_mosquitto_passwd,
    write_nats_auth,
)
from safecampus.security.services.devices import (
    DeviceError,
    device_broker_login_set,
    device_register,
    device_rotate_secret,
    device_set_enabled,
)
from safecampus.security.tests.test_device_import import EN, GOOD, _filled, _template

pytestmark = pytest.mark.django_db


@pytest.fixture
def brokers(settings, tmp_path):
    settings.NATS_AUTH_FILE = tmp_path / "nats" / "auth.conf"
    settings.NATS_PIDFILE = tmp_path / "nats" / "pid"
    settings.MOSQUITTO_PASSWD_FILE = tmp_path / "mosquitto" / "passwd"
    settings.MOSQUITTO_PIDFILE = tmp_path / "mosquitto" / "pid"
    (tmp_path / "nats").mkdir()
    (tmp_path / "nats" / "ingest.bcrypt").write_text(
        bcrypt.hashpw(b"ingest-pw", bcrypt.gensalt(4)).decode() + "\n"
    )
    (tmp_path / "mosquitto").mkdir()
    settings.MOSQUITTO_PASSWD_FILE.write_text("safecampus-ingest:$7$101$keep$me\n")
    return settings


def _pbkdf2_ok(hashed: str, secret: str) -> bool:
    _, _, iterations, salt, key = hashed.split("$")
    derived = hashlib.pbkdf2_hmac(
        "sha512", secret.encode(), base64.b64decode(salt), int(iterations)
    )
    return base64.b64encode(derived).decode() == key


def _register(district, code: str, **kw):
    return device_register(
        actor=None, school=district.school_a, kind="camera", name=code, code=code, **kw
    )


def test_registration_and_rotation_store_the_brokers_hashes_of_the_secret(district):
    device, secret = _register(district, "XB-001-CAM7")
    assert bcrypt.checkpw(secret.encode(), device.broker_bcrypt.encode())
    assert device.broker_bcrypt.startswith("$2b$06$")
    assert _pbkdf2_ok(device.broker_pbkdf2, secret)
    new = device_rotate_secret(actor=None, device=device)
    device.refresh_from_db()
    assert bcrypt.checkpw(new.encode(), device.broker_bcrypt.encode())
    assert not bcrypt.checkpw(secret.encode(), device.broker_bcrypt.encode())
    assert _pbkdf2_ok(device.broker_pbkdf2, new) and not _pbkdf2_ok(device.broker_pbkdf2, secret)
    assert secret not in device.broker_pbkdf2 + device.broker_bcrypt


def test_the_nats_file_lets_each_enabled_device_publish_only_its_own_topics(
    brokers, district, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        camera, _secret = _register(district, "XB-001-CAM7")
        off, _ = _register(district, "XB-001-CAM8")
        device_set_enabled(actor=None, device=off, enabled=False)
        _register(district, "XB-001.*")  # a wildcard in a code must widen nothing
    text = brokers.NATS_AUTH_FILE.read_text()
    assert oct(brokers.NATS_AUTH_FILE.stat().st_mode & 0o777) == "0o600"
    users = [line.strip() for line in text.splitlines() if line.strip().startswith("{user")]
    assert len(users) == 2
    assert users[0].startswith('{user: "safecampus-ingest", password: "$2b$04$')
    assert users[0].endswith('allowed_connection_types: ["STANDARD", "MQTT"]}')
    assert users[1] == (
        f'{{user: "XB-001-CAM7", password: "{camera.broker_bcrypt}", '
        'allowed_connection_types: ["MQTT"], permissions: {publish: {allow: '
        '["safecampus.XB-001.XB-001-CAM7.events", "safecampus.XB-001.XB-001-CAM7.status"]}, '
        'subscribe: {deny: [">"]}}}'
    )
    assert "CAM8" not in text and "XB-001.*" not in text


def test_a_disabled_or_deleted_device_leaves_both_files_after_the_commit(
    brokers, district, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        camera, _ = _register(district, "XB-001-CAM7")
        gate, _ = _register(district, "XB-001-GATE7")
    passwd = brokers.MOSQUITTO_PASSWD_FILE.read_text()
    assert passwd.splitlines() == [
        f"XB-001-CAM7:{camera.broker_pbkdf2}",
        f"XB-001-GATE7:{gate.broker_pbkdf2}",
        "safecampus-ingest:$7$101$keep$me",
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        device_set_enabled(actor=None, device=camera, enabled=False)
    assert [type(c) for c in callbacks] == [PendingSync]
    assert "XB-001-CAM7" not in brokers.NATS_AUTH_FILE.read_text()
    assert "XB-001-CAM7" not in brokers.MOSQUITTO_PASSWD_FILE.read_text()
    with django_capture_on_commit_callbacks(execute=True):
        Device.objects.filter(pk=gate.pk).delete()  # no signal: a queryset delete
        Device.objects.get(pk=camera.pk).delete()  # post_delete
    assert "XB-001-GATE7" not in brokers.NATS_AUTH_FILE.read_text()
    assert brokers.MOSQUITTO_PASSWD_FILE.read_text() == "safecampus-ingest:$7$101$keep$me\n"


def test_an_import_rewrites_the_files_once(
    client, officer_a, district, brokers, django_capture_on_commit_callbacks
):
    client.cookies.load(EN)
    login(client, officer_a)
    upload = _filled(_template(client), GOOD)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/security/devices/import/", {"file": upload})
    assert response.status_code == 200
    assert len([c for c in callbacks if isinstance(c, PendingSync)]) == 1
    text = brokers.NATS_AUTH_FILE.read_text()
    assert all(code in text for code in Device.objects.values_list("code", flat=True))


def test_a_stale_pidfile_gets_no_signal_and_no_broker_is_no_failure(brokers):
    # A process that is not a broker, under a stale pidfile: no signal for it.
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        brokers.NATS_PIDFILE.write_text(f"{sleeper.pid}\n")
        assert broker_reload(brokers.NATS_PIDFILE, "nats-server") is False
        assert sleeper.poll() is None
        brokers.MOSQUITTO_PIDFILE.write_text("not a pid")
        assert broker_reload(brokers.MOSQUITTO_PIDFILE, "mosquitto") is False
        broker_logins_sync()  # no broker running: the files are written, nothing fails
        assert brokers.NATS_AUTH_FILE.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


def test_an_older_device_gets_its_broker_login_from_its_secret_once(brokers, district, monkeypatch):
    device, secret = _register(district, "XB-001-CAM7")
    Device.objects.filter(pk=device.pk).update(broker_bcrypt="", broker_pbkdf2="")
    device.refresh_from_db()
    with pytest.raises(DeviceError, match="not the device's secret"):
        device_broker_login_set(actor=None, device=device, secret="0" * 40)
    assert write_nats_auth(brokers.NATS_AUTH_FILE) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(secret + "\n"))
    call_command("broker_credentials", "--set", "XB-001-CAM7", stderr=io.StringIO())
    device.refresh_from_db()
    assert bcrypt.checkpw(secret.encode(), device.broker_bcrypt.encode())
    assert write_nats_auth(brokers.NATS_AUTH_FILE) == 1
    assert write_mosquitto_passwd(brokers.MOSQUITTO_PASSWD_FILE) == (2, [])


def test_the_nats_file_never_lists_no_user(brokers, tmp_path):
    """nats-server reads an empty user list as "no authorization": anyone may connect."""
    path = tmp_path / "elsewhere" / "auth.conf"  # no ingest.bcrypt beside it, no device
    assert write_nats_auth(path) == 0
    users = [line for line in path.read_text().splitlines() if "{user" in line]
    assert len(users) == 1 and '{user: "safecampus-ingest", password: "$2b$06$' in users[0]
