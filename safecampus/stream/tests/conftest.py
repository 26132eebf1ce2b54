"""Drive the ASGI stream app in-process: a background event loop, a queue of sent messages."""

from __future__ import annotations

import asyncio
import json
import queue
import threading

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import Client
from huey.contrib.djhuey import HUEY

from conftest import login

END = object()


def scope(path="/stream/events", method="GET", headers=()):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8001),
    }


class StreamCall:
    """One request to the app, running until the app returns or the client disconnects."""

    def __init__(self, app, **kwargs):
        self.sent: queue.Queue = queue.Queue()
        self.loop = asyncio.new_event_loop()
        self.gone = asyncio.Event()
        self.thread = threading.Thread(
            target=self.loop.run_until_complete,
            args=(self._main(app, scope(**kwargs)),),
            daemon=True,
        )
        self.thread.start()

    async def _main(self, app, asgi_scope):
        async def receive():
            await self.gone.wait()
            return {"type": "http.disconnect"}

        async def send(message):
            self.sent.put(message)

        try:
            await app(asgi_scope, receive, send)
        finally:
            # The ORM ran in asgiref's worker thread; its connection must not outlive the test.
            await sync_to_async(connections.close_all)()
            self.sent.put(END)

    def start(self, timeout=10):
        return self.sent.get(timeout=timeout)

    def next_body(self, timeout=10):
        message = self.sent.get(timeout=timeout)
        return message if message is END else message["body"]

    def response(self):
        start = self.start()
        body = b""
        while (chunk := self.next_body()) is not END:
            body += chunk
        self.thread.join(5)
        return start["status"], dict(start["headers"]), json.loads(body) if body else None

    def disconnect(self):
        self.loop.call_soon_threadsafe(self.gone.set)
        self.thread.join(10)
        return not self.thread.is_alive()


def session_cookie(user, *, verified=True):
    client = Client()
    if verified:
        login(client, user)
    else:
        client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.fixture(autouse=True)
def _fast_stream(settings):
    settings.STREAM_POLL_SECONDS = 0.05
    settings.STREAM_HEARTBEAT_SECONDS = 30.0


@pytest.fixture(autouse=True)
def _tasks_inline():
    previous, HUEY.immediate = HUEY.immediate, True
    yield
    HUEY.immediate = previous


@pytest.fixture
def live_db(transactional_db):
    """Committed data, since the app reads through its own thread and connection."""
    return transactional_db
