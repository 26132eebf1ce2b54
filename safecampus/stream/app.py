"""The live stream: a small raw ASGI application serving Server-Sent Events.

Pages and the API run under WSGI; only this process holds long-lived
connections, so an open browser tab never pins a sync worker.

    GET /stream/events   text/event-stream for the signed-in person
    GET /stream/healthz  200 while the process runs

    GET /stream/alerts   the alert console's stream (``event: alert``), see
                         ``safecampus.security.live``; other apps add routes the same way
                         with ``register_route`` in ``AppConfig.ready``

Events: ``event: notification`` with ``{"unread": n, "title": …, "url": …}``
when a notification for the person appears; a ``: ping`` comment every
``STREAM_HEARTBEAT_SECONDS``, at which point the session is checked again, so
signing out, idling out or losing a role's second factor ends the stream.
A cross-origin page may read the stream only from ``STREAM_ALLOWED_ORIGINS``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from safecampus.stream.auth import Verdict, check_session, session_key_from
from safecampus.stream.broker import Broker, Message, get_broker, user_channel

logger = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

EVENTS_PATH = "/stream/events"
HEALTH_PATH = "/stream/healthz"
#: Browsers wait this long (ms) before reconnecting after the stream drops.
RETRY_MS = 5000


NOT_YOURS = gettext_lazy("You may not follow this stream.")


@dataclass(frozen=True)
class Route:
    """A stream path: ``channels(user_id)`` (run in a worker thread, may use the ORM) names
    the channels the person may follow there; none means 403. ``poll_seconds`` lets the
    database engine poll this route's channels faster than ``STREAM_POLL_SECONDS``."""

    channels: Callable[[int], list[str]]
    poll_seconds: float | None = None
    refused: str | Promise = NOT_YOURS


_routes: dict[str, Route] = {EVENTS_PATH: Route(lambda user_id: [user_channel(user_id)])}


def register_route(path: str, route: Route) -> None:
    _routes[path] = route


def sse_frame(message: Message) -> bytes:
    data = json.dumps(message.data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {message.event}\ndata: {data}\n\n".encode()


class StreamApp:
    def __init__(self, broker: Broker | None = None) -> None:
        self._broker = broker

    @property
    def broker(self) -> Broker:
        return self._broker or get_broker()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1000})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        path, method = scope["path"], scope["method"]
        cors = _cors_headers(scope["headers"])
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            await _respond(send, 200, {"status": "ok"}, cors)
        elif path in _routes and method == "OPTIONS":
            await _respond(send, 204, None, [*cors, (b"access-control-allow-methods", b"GET")])
        elif path in _routes and method == "GET":
            await self._events(scope, receive, send, cors, _routes[path])
        elif path in _routes or path == HEALTH_PATH:
            await _respond(send, 405, {"detail": _("Method not allowed.")}, cors)
        else:
            await _respond(send, 404, {"detail": _("Not found.")}, cors)

    async def _events(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        cors: list[tuple[bytes, bytes]],
        route: Route,
    ) -> None:
        session_key = session_key_from(scope["headers"])
        verdict = await sync_to_async(check_session)(session_key)
        if verdict.status == 401:
            await _respond(send, 401, {"detail": _("Sign in to receive live updates.")}, cors)
            return
        if verdict.status == 403:
            detail = _("Verify your second factor to receive live updates.")
            await _respond(send, 403, {"detail": detail}, cors)
            return
        assert verdict.user_id is not None
        channels = await sync_to_async(route.channels)(verdict.user_id)
        if not channels:
            await _respond(send, 403, {"detail": str(route.refused)}, cors)
            return
        subscription = self.broker.subscribe(channels, poll_seconds=route.poll_seconds)
        try:
            events = await subscription.__aenter__()
        except Exception:
            logger.exception("Could not subscribe to the event broker")
            await _respond(send, 503, {"detail": _("Live updates are unavailable.")}, cors)
            return
        try:
            await send(
                {"type": "http.response.start", "status": 200, "headers": _sse_headers(cors)}
            )
            await send(_chunk(f"retry: {RETRY_MS}\n\n".encode()))
            await _pump(events, receive, send, session_key, verdict)
        finally:
            await subscription.__aexit__(None, None, None)
        await send({"type": "http.response.body", "body": b"", "more_body": False})


async def _pump(
    events: Any, receive: Receive, send: Send, session_key: str, verdict: Verdict
) -> None:
    """Forward events until the client leaves or its session stops being valid."""
    heartbeat = float(settings.STREAM_HEARTBEAT_SECONDS)
    disconnected = asyncio.ensure_future(_wait_disconnect(receive))
    incoming = asyncio.ensure_future(events.__anext__())
    next_beat = time.monotonic() + heartbeat
    try:
        while True:
            timeout = max(0.0, next_beat - time.monotonic())
            done, _pending = await asyncio.wait(
                {disconnected, incoming}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if disconnected in done:
                return
            if incoming in done:
                try:
                    message = incoming.result()
                except Exception:
                    # The browser reconnects after RETRY_MS; a broker hiccup costs one reconnect.
                    logger.exception("The event broker failed; closing the stream")
                    return
                await send(_chunk(sse_frame(message)))
                incoming = asyncio.ensure_future(events.__anext__())
            if time.monotonic() >= next_beat:
                if await sync_to_async(check_session)(session_key) != verdict:
                    return
                await send(_chunk(b": ping\n\n"))
                next_beat = time.monotonic() + heartbeat
    finally:
        for task in (disconnected, incoming):
            task.cancel()
        await asyncio.gather(disconnected, incoming, return_exceptions=True)


async def _wait_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _cors_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    origin = next((v.decode("latin-1") for k, v in headers if k == b"origin"), "")
    vary = [(b"vary", b"origin")]
    if origin and origin in settings.STREAM_ALLOWED_ORIGINS:
        return [
            *vary,
            (b"access-control-allow-origin", origin.encode("latin-1")),
            (b"access-control-allow-credentials", b"true"),
        ]
    return vary


def _sse_headers(cors: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-type", b"text/event-stream; charset=utf-8"),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        # nginx buffers proxied responses unless told not to; events would arrive in lumps.
        (b"x-accel-buffering", b"no"),
        *cors,
    ]


def _chunk(body: bytes) -> dict[str, Any]:
    return {"type": "http.response.body", "body": body, "more_body": True}


async def _respond(
    send: Send, status: int, payload: dict[str, Any] | None, extra: list[tuple[bytes, bytes]]
) -> None:
    body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


application = StreamApp()
