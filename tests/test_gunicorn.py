"""The web process as it runs: a real gunicorn (2 sync workers, the repository's
``gunicorn.conf.py``) on a free port, with its own var dir and a throw-away database (SQLite
in the var dir, or a fresh database on the PostgreSQL server ``DATABASE_URL`` names).

- No answer names the server software (issue #11 §8), from Django or from gunicorn itself.
- One HTTP Digest header is accepted once even when two copies reach two worker processes
  at the same moment (issue #11 §2): the nonce counts live in the database they share.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from bench import web
from tests.live_gunicorn import live_gunicorn

IO_ALARM = """<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">
<dateTime>{when}</dateTime>
<eventType>IO</eventType>
<eventState>active</eventState>
<inputIOPortID>{port}</inputIOPortID>
</EventNotificationAlert>
"""
COUNT_EVENTS = (
    "from safecampus.security.models import DeviceEvent; print(DeviceEvent.objects.count())"
)


@dataclass
class Server:
    port: int
    env: dict[str, str]
    code: str
    secret: str


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    added: dict[str, str] = {}

    def device(env: dict[str, str]) -> None:
        web.manage(env, "seed_demo", "--schools", "1", "--quiet", "--no-devices")
        args = "--school XB-001 --kind panic_button --name 门卫室报警 --protocol hikvision"
        added.update(json.loads(web.manage(env, "device_add", *args.split())))

    with live_gunicorn("sc-gunicorn", prepare=device) as (port, env):
        yield Server(port, env, added["code"], added["secret"])


def _request(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=body, headers=headers or {})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


# --- no banner ---------------------------------------------------------------------------------


def test_no_answer_names_the_server_software(server):
    answers = {
        "page": _request(server.port, "GET", "/accounts/login/"),
        "health": _request(server.port, "GET", "/healthz"),
        "not found": _request(server.port, "GET", "/no-such-page/"),
        "api 401": _request(server.port, "GET", "/api/v1/schools/"),
        "static": _request(server.port, "GET", "/static/css/app.css"),
    }
    assert {name: answer.status for name, answer in answers.items()} == {
        "page": 200,
        "health": 200,
        "not found": 404,
        "api 401": 401,
        "static": 200,
    }
    for name, answer in answers.items():
        assert answer.getheader("Server") is None, name
        assert "gunicorn" not in str(answer.headers).lower(), name


def test_gunicorns_own_error_answer_has_no_banner_either(server):
    """A request line gunicorn itself refuses never reaches Django."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"GET /\x00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head = raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert head.startswith("HTTP/1.1 400 ")
    assert "server:" not in head.lower() and "gunicorn" not in raw.decode("latin-1").lower()


# --- one Digest header, two workers ------------------------------------------------------------


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _digest(server: Server, nonce: str, nc: int) -> str:
    path = f"/api/v1/ingest/hikvision/{server.code}"
    ha1 = _md5(f"{server.code}:SafeCampus:{server.secret}")
    response = _md5(f"{ha1}:{nonce}:{nc:08x}:c0ffee:auth:{_md5(f'POST:{path}')}")
    return (
        f'Digest username="{server.code}", realm="SafeCampus", nonce="{nonce}", uri="{path}", '
        f'algorithm=MD5, qop=auth, nc={nc:08x}, cnonce="c0ffee", response="{response}"'
    )


def _post_alarm(server: Server, port_id: int, authorization: str = "") -> http.client.HTTPResponse:
    # Each alarm a second apart: the event id is derived from the notification's content.
    moment = datetime.now(timezone(timedelta(hours=8))) - timedelta(seconds=port_id)
    when = moment.replace(microsecond=0).isoformat()
    headers = {"Content-Type": 'application/xml; charset="UTF-8"'}
    if authorization:
        headers["Authorization"] = authorization
    body = IO_ALARM.format(when=when, port=port_id).encode()
    return _request(server.port, "POST", f"/api/v1/ingest/hikvision/{server.code}", body, headers)


def test_one_digest_header_passes_once_across_two_worker_processes(server):
    challenge = _post_alarm(server, 1).getheader("WWW-Authenticate")
    nonce = re.search(r'nonce="([^"]+)"', challenge).group(1)
    rounds, statuses = 8, []
    for nc in range(1, rounds + 1):
        header = _digest(server, nonce, nc)
        barrier = threading.Barrier(2)
        lock = threading.Lock()

        def send(port_id: int, header: str = header) -> None:
            barrier.wait(timeout=10)
            status = _post_alarm(server, port_id, header).status
            with lock:
                statuses.append(status)

        threads = [threading.Thread(target=send, args=(nc * 10 + i,)) for i in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
    assert sorted(statuses) == [200] * rounds + [401] * rounds
    assert web.manage(server.env, "shell", "-c", COUNT_EVENTS).split()[-1] == str(rounds)
