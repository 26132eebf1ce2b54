"""The stream under a real uvicorn on a free port, through config.asgi, as deployed."""

import asyncio
import http.client
import json
import socket
import threading
import time

import pytest
import uvicorn
from asgiref.sync import sync_to_async
from django.db import connections

from safecampus.notifications.services import notify
from safecampus.stream.tests.conftest import session_cookie

pytestmark = pytest.mark.usefixtures("live_db")


@pytest.fixture
def stream_server():
    from config.asgi import application

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(application, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    yield server, sock.getsockname()[1]
    server.should_exit = True
    thread.join(10)
    # The app's ORM work ran in asgiref's worker thread; close its connection there.
    # (From a thread of its own: a browser test may hold this thread's event loop.)
    closer = threading.Thread(target=lambda: asyncio.run(sync_to_async(connections.close_all)()))
    closer.start()
    closer.join(10)
    # Open streams end on disconnect; a stream that ignored it would hold shutdown forever.
    assert not thread.is_alive()


def test_health_and_a_notification_over_http(stream_server, officer_a):
    _, port = stream_server
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/stream/healthz")
    response = conn.getresponse()
    assert (response.status, json.loads(response.read())) == (200, {"status": "ok"})

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "GET",
        "/stream/events",
        headers={"Cookie": session_cookie(officer_a), "Origin": "http://localhost:8000"},
    )
    response = conn.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == "text/event-stream; charset=utf-8"
    assert response.getheader("Access-Control-Allow-Origin") == "http://localhost:8000"
    assert response.readline() == b"retry: 5000\n"
    assert response.readline() == b"\n"
    notify(recipients=[officer_a], verb="cases.case.created", title="校门口可疑人员", url="")
    assert response.readline() == b"event: notification\n"
    assert json.loads(response.readline().removeprefix(b"data: ")) == {
        "unread": 1,
        "title": "校门口可疑人员",
        "url": "",
    }
    conn.close()
