"""POST /api/v1/ingest/hikvision/<code>: real ISAPI bodies from a camera and an access
controller, authenticated the three ways a device can, answered as Hikvision devices expect."""

from __future__ import annotations

import base64
import hashlib
import io
import re
import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from safecampus.attachments.models import Attachment
from safecampus.security.adapters.hikvision.parser import DEVICE_TZ
from safecampus.security.models import Alert, Device, DeviceEvent, DigestNonce
from safecampus.security.services.devices import device_register
from safecampus.security.tests.test_hikvision import BOUNDARY, FORM, JSON, XML, fixture, part

pytestmark = pytest.mark.django_db

#: Half a minute after the line-crossing fixture (23:10:05 Beijing time).
LINE_TIME = datetime(2026, 3, 11, 23, 10, 35, tzinfo=DEVICE_TZ)


def url(device: Device | str) -> str:
    return f"/api/v1/ingest/hikvision/{getattr(device, 'code', device)}"


@pytest.fixture
def hik_camera(district):
    device, secret = device_register(
        actor=None,
        school=district.school_a,
        kind="camera",
        name="北围墙枪机",
        protocol="hikvision",
        vendor="Hikvision DS-2CD2T47G2",
        zone="北围墙",
        code="XB-001-HIK1",
    )
    device.secret = secret
    return device


@pytest.fixture
def hik_gate(district):
    device, secret = device_register(
        actor=None,
        school=district.school_a,
        kind="access_gate",
        name="东门人脸闸机",
        protocol="hikvision",
        zone="东门",
        code="XB-001-ACS1",
    )
    device.secret = secret
    return device


@pytest.fixture
def at_line_time():
    with time_machine.travel(LINE_TIME, tick=False):
        yield


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (48, 32), "navy").save(out, format="JPEG")
    return out.getvalue()


def line_crossing_multipart(picture: bytes) -> bytes:
    return (
        part('form-data; name="linedetection"', fixture("linedetection.xml"), XML)
        + part(
            'form-data; name="linedetectionImage"; filename="linedetectionImage.jpg"',
            picture,
            "image/jpeg",
        )
        + f"--{BOUNDARY}--\r\n".encode()
    )


def basic(device: Device, secret: str | None = None, username: str | None = None) -> str:
    raw = f"{username or device.code}:{secret or device.secret}".encode()
    return "Basic " + base64.b64encode(raw).decode()


def status_code(response) -> str:
    return re.search(r"<statusCode>(\d+)</statusCode>", response.content.decode()).group(1)


def error_message(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return response.json()["errorMsg"]
    return re.search(r"<errorMsg>(.*)</errorMsg>", response.content.decode(), re.S).group(1)


# --- stored, with the picture, answered 200 ---------------------------------------------------


def test_a_camera_multipart_with_basic_auth_is_stored_with_its_picture(
    client, hik_camera, at_line_time
):
    response = client.post(
        url(hik_camera),
        line_crossing_multipart(jpeg()),
        content_type=FORM,
        HTTP_AUTHORIZATION=basic(hik_camera),
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert (
        status_code(response) == "1"
        and "<statusString>OK</statusString>" in response.content.decode()
    )
    stored = DeviceEvent.objects.get()
    assert (stored.device, stored.type, stored.zone, stored.source) == (
        hik_camera,
        "line_crossing",
        "北围墙",
        "hikvision",
    )
    assert stored.occurred_at == datetime(2026, 3, 11, 23, 10, 5, tzinfo=DEVICE_TZ)
    assert stored.attributes["detection_target"] == "human"
    assert Attachment.objects.filter(owner_id=str(stored.pk)).count() == 1
    # at night a line crossing on the perimeter is an alert for the guard room
    assert Alert.objects.filter(device=hik_camera, event_type="line_crossing").count() == 1


def test_an_access_controller_posts_json_with_the_device_header(client, hik_gate):
    with time_machine.travel(datetime(2026, 3, 11, 7, 52, 30, tzinfo=DEVICE_TZ), tick=False):
        response = client.post(
            url(hik_gate),
            fixture("acs_auth_failed.json"),
            content_type=JSON,
            HTTP_AUTHORIZATION=f"Device {hik_gate.code}:{hik_gate.secret}",
        )
    assert response.status_code == 200
    assert response.json() == {
        "requestURL": url(hik_gate),
        "statusCode": 1,
        "statusString": "OK",
        "subStatusCode": "ok",
    }
    stored = DeviceEvent.objects.get()
    assert (stored.type, stored.subject, stored.attributes["minor"]) == (
        "access_denied",
        "3106521984",
        9,
    )


def test_an_access_controller_multipart_event_log(client, hik_gate):
    body = (
        part('form-data; name="event_log"', fixture("acs_face_passed.json"), None)
        + part('form-data; name="Picture"; filename="Picture.jpg"', jpeg(), "image/jpeg")
        + f"--{BOUNDARY}--\r\n".encode()
    )
    with time_machine.travel(datetime(2026, 3, 11, 7, 50, 40, tzinfo=DEVICE_TZ), tick=False):
        response = client.post(
            url(hik_gate), body, content_type=FORM, HTTP_AUTHORIZATION=basic(hik_gate)
        )
    assert response.status_code == 200
    stored = DeviceEvent.objects.get()
    assert (stored.type, stored.subject) == ("face_recognised", "T-2019-0117")
    assert Attachment.objects.filter(owner_id=str(stored.pk)).count() == 1


def test_a_resent_notification_is_stored_once(client, hik_camera, at_line_time):
    body = line_crossing_multipart(jpeg())
    resent = body.replace(b"<isDataRetransmission>false", b"<isDataRetransmission>true")
    for payload in (body, resent, body):
        response = client.post(
            url(hik_camera), payload, content_type=FORM, HTTP_AUTHORIZATION=basic(hik_camera)
        )
        assert response.status_code == 200
    assert DeviceEvent.objects.count() == 1
    assert Alert.objects.get().count == 1


def test_a_videoloss_heartbeat_marks_the_camera_alive_and_stores_nothing(client, hik_camera):
    beat = datetime(2026, 3, 11, 23, 21, 31, tzinfo=DEVICE_TZ)
    assert hik_camera.last_seen_at is None
    with time_machine.travel(beat, tick=False):
        response = client.post(
            url(hik_camera),
            fixture("videoloss_heartbeat.xml"),
            content_type=XML,
            HTTP_AUTHORIZATION=basic(hik_camera),
        )
    assert response.status_code == 200
    hik_camera.refresh_from_db()
    assert hik_camera.last_seen_at == beat
    assert not DeviceEvent.objects.exists()


def test_a_routine_door_record_only_marks_the_gate_alive(client, hik_gate):
    at = datetime(2026, 3, 11, 7, 50, 45, tzinfo=DEVICE_TZ)
    with time_machine.travel(at, tick=False):
        response = client.post(
            url(hik_gate),
            fixture("acs_door_closed.json"),
            content_type=JSON,
            HTTP_AUTHORIZATION=basic(hik_gate),
        )
    assert response.status_code == 200
    hik_gate.refresh_from_db()
    assert hik_gate.last_seen_at == at and not DeviceEvent.objects.exists()


# --- HTTP Digest, as the cameras do it ----------------------------------------------------------


def _challenge(response) -> dict[str, str]:
    header = response["WWW-Authenticate"]
    assert header.startswith("Digest ")
    return dict(re.findall(r'(\w+)="?([^",]*)"?', header[len("Digest ") :]))


def _digest(
    device: Device,
    challenge: dict,
    *,
    secret: str | None = None,
    path: str = "",
    nc: str = "00000001",
) -> str:
    path = path or url(device)
    md5 = lambda text: hashlib.md5(text.encode()).hexdigest()  # noqa: E731
    ha1 = md5(f"{device.code}:{challenge['realm']}:{secret or device.secret}")
    ha2 = md5(f"POST:{path}")
    cnonce = "0a4f113b"
    response = md5(f"{ha1}:{challenge['nonce']}:{nc}:{cnonce}:auth:{ha2}")
    return (
        f'Digest username="{device.code}", realm="{challenge["realm"]}", '
        f'nonce="{challenge["nonce"]}", uri="{path}", algorithm=MD5, qop=auth, '
        f'nc={nc}, cnonce="{cnonce}", response="{response}"'
    )


def test_digest_challenge_and_answer(client, hik_camera, at_line_time):
    body = line_crossing_multipart(jpeg())
    first = client.post(url(hik_camera), body, content_type=FORM)
    assert first.status_code == 401 and status_code(first) == "4"
    challenge = _challenge(first)
    assert (challenge["realm"], challenge["qop"], challenge["algorithm"]) == (
        "SafeCampus",
        "auth",
        "MD5",
    )
    assert not DeviceEvent.objects.exists()
    second = client.post(
        url(hik_camera),
        body,
        content_type=FORM,
        HTTP_AUTHORIZATION=_digest(hik_camera, challenge),
    )
    assert second.status_code == 200
    assert DeviceEvent.objects.count() == 1


def test_digest_refuses_a_wrong_secret_another_uri_and_a_stale_nonce(client, hik_camera, hik_gate):
    body = fixture("videoloss_heartbeat.xml")
    with time_machine.travel(LINE_TIME, tick=False):
        challenge = _challenge(client.post(url(hik_camera), body, content_type=XML))
        wrong = _digest(hik_camera, challenge, secret="0" * 40)
        elsewhere = _digest(hik_camera, challenge, path=url(hik_gate))
        for header in (wrong, elsewhere):
            response = client.post(
                url(hik_camera), body, content_type=XML, HTTP_AUTHORIZATION=header
            )
            assert response.status_code == 401
        # a nonce issued for another device is not this one's
        gate_challenge = _challenge(client.post(url(hik_gate), body, content_type=XML))
        borrowed = _digest(hik_camera, {**challenge, "nonce": gate_challenge["nonce"]})
        response = client.post(url(hik_camera), body, content_type=XML, HTTP_AUTHORIZATION=borrowed)
        assert response.status_code == 401 and "stale" not in response["WWW-Authenticate"]
    with time_machine.travel(LINE_TIME + timedelta(minutes=6), tick=False):
        late = client.post(
            url(hik_camera),
            body,
            content_type=XML,
            HTTP_AUTHORIZATION=_digest(hik_camera, challenge),
        )
    assert late.status_code == 401 and "stale=true" in late["WWW-Authenticate"]
    hik_camera.refresh_from_db()
    assert hik_camera.last_seen_at is None


def test_digest_with_odd_characters_is_refused_not_crashed(client, hik_camera, at_line_time):
    body = fixture("videoloss_heartbeat.xml")
    challenge = _challenge(client.post(url(hik_camera), body, content_type=XML))
    good = _digest(hik_camera, challenge)
    odd = [
        re.sub(r'response="[0-9a-f]+"', 'response="\u00e9\u00e9"', good),
        good.replace(challenge["nonce"], challenge["nonce"].split(".")[0] + ".\u00e9"),
        good.replace(f'uri="{url(hik_camera)}"', 'uri="http://[broken/"'),
        good.replace(challenge["nonce"], "f" * 40 + "." + challenge["nonce"].split(".")[1]),
    ]
    for header in odd:
        response = client.post(url(hik_camera), body, content_type=XML, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


# --- a Digest answer is accepted once ----------------------------------------------------------

#: Ten seconds after the IO alarm fixture (10:02:33 Beijing time, a one-key alarm input).
IO_TIME = datetime(2026, 3, 11, 10, 2, 43, tzinfo=DEVICE_TZ)


def io_alarm(second: int) -> bytes:
    """The IO alarm fixture at another second: another event, as an attacker would vary it."""
    return fixture("io_alarm.xml").replace(b"10:02:33", f"10:02:{second:02d}".encode())


def test_a_replayed_digest_header_is_refused_and_stores_nothing(client, hik_camera):
    with time_machine.travel(IO_TIME, tick=False):
        challenge = _challenge(client.post(url(hik_camera), b"", content_type=XML))
        header = _digest(hik_camera, challenge)
        first = client.post(
            url(hik_camera), io_alarm(33), content_type=XML, HTTP_AUTHORIZATION=header
        )
        assert first.status_code == 200
        alert = Alert.objects.get(device=hik_camera)
        assert (DeviceEvent.objects.count(), alert.count) == (1, 1)
        for second in (33, 34, 35):  # the same body again, and two new ones
            replay = client.post(
                url(hik_camera), io_alarm(second), content_type=XML, HTTP_AUTHORIZATION=header
            )
            assert replay.status_code == 401
            assert error_message(replay) == "this Digest nonce count was already used"
            fresh = _challenge(replay)
            assert fresh["nonce"] != challenge["nonce"] and "stale" not in fresh
    alert.refresh_from_db()
    assert (DeviceEvent.objects.count(), Alert.objects.count(), alert.count) == (1, 1, 1)


def test_the_nonce_count_must_grow_and_a_fresh_nonce_works(client, hik_camera):
    with time_machine.travel(IO_TIME, tick=False):
        challenge = _challenge(client.post(url(hik_camera), b"", content_type=XML))

        def post(body: bytes, header: str) -> int:
            return client.post(
                url(hik_camera), body, content_type=XML, HTTP_AUTHORIZATION=header
            ).status_code

        assert post(io_alarm(33), _digest(hik_camera, challenge, nc="00000002")) == 200
        assert post(io_alarm(34), _digest(hik_camera, challenge, nc="00000001")) == 401
        assert post(io_alarm(35), _digest(hik_camera, challenge, nc="00000002")) == 401
        assert post(io_alarm(36), _digest(hik_camera, challenge, nc="0000000a")) == 200
        assert post(io_alarm(37), _digest(hik_camera, challenge, nc="0000000A")) == 401
        assert post(io_alarm(38), _digest(hik_camera, challenge, nc="1")) == 401  # not 8 digits
        fresh = _challenge(client.post(url(hik_camera), b"", content_type=XML))
        assert post(io_alarm(39), _digest(hik_camera, fresh)) == 200
    assert sorted(DeviceEvent.objects.values_list("occurred_at__second", flat=True)) == [
        33,
        36,
        39,
    ]


def test_a_wrong_answer_does_not_spend_the_devices_nonce_count(client, hik_camera):
    """Only a proven answer spends a count: a stranger guessing cannot lock the camera out."""
    with time_machine.travel(IO_TIME, tick=False):
        challenge = _challenge(client.post(url(hik_camera), b"", content_type=XML))
        guess = _digest(hik_camera, challenge, secret="0" * 40)
        for _ in range(3):
            response = client.post(
                url(hik_camera), io_alarm(33), content_type=XML, HTTP_AUTHORIZATION=guess
            )
            assert response.status_code == 401
        assert not DigestNonce.objects.exists()
        response = client.post(
            url(hik_camera),
            io_alarm(33),
            content_type=XML,
            HTTP_AUTHORIZATION=_digest(hik_camera, challenge),
        )
        assert response.status_code == 200


def test_an_expired_nonce_is_stale_and_its_row_is_purged(client, hik_camera, hik_gate):
    with time_machine.travel(IO_TIME, tick=False):
        challenge = _challenge(client.post(url(hik_camera), b"", content_type=XML))
        header = _digest(hik_camera, challenge)
        assert (
            client.post(url(hik_camera), io_alarm(33), content_type=XML, HTTP_AUTHORIZATION=header)
        ).status_code == 200
    assert list(DigestNonce.objects.values_list("nonce", flat=True)) == [challenge["nonce"]]
    with time_machine.travel(IO_TIME + timedelta(seconds=301), tick=False):
        late = client.post(
            url(hik_camera),
            io_alarm(34),
            content_type=XML,
            HTTP_AUTHORIZATION=_digest(hik_camera, challenge, nc="00000002"),
        )
        assert late.status_code == 401 and _challenge(late)["stale"] == "true"
        # the next nonce stored (here the gate's) takes the expired row away
        gate = _challenge(client.post(url(hik_gate), b"", content_type=XML))
        assert (
            client.post(
                url(hik_gate),
                io_alarm(40),
                content_type=XML,
                HTTP_AUTHORIZATION=_digest(hik_gate, gate),
            )
        ).status_code == 200
    assert list(DigestNonce.objects.values_list("nonce", flat=True)) == [gate["nonce"]]
    assert DeviceEvent.objects.filter(device=hik_camera).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's in-memory test database locks whole tables between threads; "
    "tests/test_gunicorn.py races two gunicorn workers on a real SQLite file instead",
)
def test_two_workers_with_the_same_header_let_exactly_one_through(hik_camera):
    """Two requests with one header race on their own database connections, as two web
    workers would: the database lets one of them win."""
    with time_machine.travel(IO_TIME, tick=False):
        challenge = _challenge(Client().post(url(hik_camera), b"", content_type=XML))
        rounds, statuses = 5, []
        for n in range(rounds):
            header = _digest(hik_camera, challenge, nc=f"{n + 1:08x}")
            statuses += _race(url(hik_camera), [io_alarm(33 + n), io_alarm(50 + n)], header)
    assert sorted(statuses) == [200] * rounds + [401] * rounds
    assert DeviceEvent.objects.count() == rounds
    assert DigestNonce.objects.get().last_nc == rounds


def _race(path: str, bodies: list[bytes], header: str) -> list[int]:
    barrier = threading.Barrier(len(bodies))
    statuses: list[int] = []

    def worker(body: bytes) -> None:
        try:
            barrier.wait(timeout=10)
            response = Client().post(path, body, content_type=XML, HTTP_AUTHORIZATION=header)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return statuses


# --- refused: credentials ---------------------------------------------------------------------


def test_wrong_or_missing_credentials_are_401_and_store_nothing(
    client, hik_camera, safety_officer, at_line_time
):
    from conftest import login

    body = line_crossing_multipart(jpeg())
    for header in (
        basic(hik_camera, secret="f" * 40),
        f"Device {hik_camera.code}:nope",
        "Bearer x",
    ):
        response = client.post(url(hik_camera), body, content_type=FORM, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert "WWW-Authenticate" in response
    login(client, safety_officer)  # a person's session is not a device credential
    assert client.post(url(hik_camera), body, content_type=FORM).status_code == 401
    assert client.get(url(hik_camera)).status_code == 405
    assert not DeviceEvent.objects.exists()


def test_another_devices_credential_or_user_name_is_403(client, hik_camera, hik_gate, at_line_time):
    body = line_crossing_multipart(jpeg())
    gate_basic = basic(hik_gate)
    gate_header = f"Device {hik_gate.code}:{hik_gate.secret}"
    wrong_user = basic(hik_camera, username=hik_gate.code)
    for header in (gate_basic, gate_header, wrong_user):
        response = client.post(url(hik_camera), body, content_type=FORM, HTTP_AUTHORIZATION=header)
        assert response.status_code == 403, header
        assert "<subStatusCode>forbidden</subStatusCode>" in response.content.decode()
    # an unknown code in the path with a real credential is no device of ours either
    assert (
        client.post(url("XB-001-NOPE"), body, content_type=FORM, HTTP_AUTHORIZATION=gate_header)
    ).status_code == 403
    assert not DeviceEvent.objects.exists()


def test_a_disabled_device_is_refused(client, hik_camera, at_line_time):
    Device.objects.filter(pk=hik_camera.pk).update(enabled=False)
    body = fixture("linedetection.xml")
    response = client.post(
        url(hik_camera), body, content_type=XML, HTTP_AUTHORIZATION=basic(hik_camera)
    )
    assert response.status_code == 401


# --- refused: bodies --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body,content_type,status,reason",
    [
        (fixture("entity_bomb.xml"), XML, 400, "DTD"),
        (fixture("doctype_external.xml"), XML, 400, "DTD"),
        (b"\x00\x01\x02 not an alert", "application/octet-stream", 400, "neither an XML"),
        (b"<EventNotificationAlert>", XML, 400, "malformed"),
        (b'{"eventType": "linedetection"', JSON, 400, "malformed"),
        (fixture("vmd_unsupported.xml"), XML, 400, "unsupported Hikvision eventType 'VMD'"),
        (
            fixture("linedetection.xml").replace(b"2026-03-11T23:10:05", b"2026-03-11T23:30:05"),
            XML,
            400,
            "in the future",
        ),
        (
            fixture("linedetection.xml").replace(b"2026-03-11T23:10:05", b"1999-12-31T23:10:05"),
            XML,
            400,
            "before 2000",
        ),
        (
            line_crossing_multipart(b"\xff\xd8\xff" + b"\0" * (2 * 1024 * 1024)),
            FORM,
            413,
            "picture is larger",
        ),
    ],
    ids=[
        "entity-bomb",
        "doctype",
        "garbage",
        "bad-xml",
        "bad-json",
        "unsupported",
        "future",
        "before-2000",
        "big-picture",
    ],
)
def test_refused_bodies_say_why_and_store_nothing(
    client, hik_camera, at_line_time, body, content_type, status, reason
):
    response = client.post(
        url(hik_camera), body, content_type=content_type, HTTP_AUTHORIZATION=basic(hik_camera)
    )
    assert response.status_code == status
    assert reason in error_message(response)
    assert not DeviceEvent.objects.exists()
    hik_camera.refresh_from_db()
    assert hik_camera.last_seen_at is None


def test_an_oversized_body_is_413_before_parsing(client, hik_camera, at_line_time):
    huge = b"<" + b" " * (8 * 1024 * 1024)
    response = client.post(
        url(hik_camera), huge, content_type=XML, HTTP_AUTHORIZATION=basic(hik_camera)
    )
    assert response.status_code == 413
    assert "<subStatusCode>messageTooLarge</subStatusCode>" in response.content.decode()
    assert not DeviceEvent.objects.exists()


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.sampled_from(["Basic ", "Digest ", "Device ", "digest ", ""]),
    st.text(max_size=200),
    st.sampled_from(['username="XB-001-HIK1", ', 'response="\u00e9", nonce="1.\u00e9", ', ""]),
)
def test_any_authorization_header_is_answered_not_crashed(client, hik_camera, scheme, noise, extra):
    body = fixture("videoloss_heartbeat.xml")
    header = scheme + extra + noise
    response = client.post(url(hik_camera), body, content_type=XML, HTTP_AUTHORIZATION=header)
    assert response.status_code in (401, 403)
