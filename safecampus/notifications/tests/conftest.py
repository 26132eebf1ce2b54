"""A real HTTP server on a free local port that records webhook calls."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from huey.contrib.djhuey import HUEY


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names lower-cased: HTTP header names are case-insensitive
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class WebhookServer:
    url: str
    requests: list[Received] = field(default_factory=list)
    #: Status codes to answer, in order; the last one repeats.
    statuses: list[int] = field(default_factory=lambda: [200])


@pytest.fixture
def webhook_server():
    state = WebhookServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.requests.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status = state.statuses[min(len(state.requests), len(state.statuses)) - 1]
            self.send_response(status)
            if status in (301, 302, 307):
                self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/safecampus"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://safecampus.example.cn"


@pytest.fixture(autouse=True)
def _tasks_inline():
    # The root conftest's HUEY_IMMEDIATE is set after pytest-django has loaded the settings.
    previous, HUEY.immediate = HUEY.immediate, True
    yield
    HUEY.immediate = previous
