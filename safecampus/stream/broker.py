"""Where live events come from: one small broker interface, two engines.

Web and worker processes call ``publish(channel, event, data)`` after commit;
the stream process calls ``subscribe(channels)``. Channels are named
``safecampus:<kind>:<id>`` (``user_channel`` for a person's inbox).

- With ``REDIS_URL``, Redis pub/sub carries the events as they are published.
- Without it, the database is the broker: ``publish`` does nothing because the
  committed row already is the message, and a *source* registered for the
  channel's prefix polls for new rows every ``STREAM_POLL_SECONDS``, one cheap
  query per channel.

An app that publishes (notifications now, alarms later) therefore does two
things: it publishes after commit, and it registers its source in
``AppConfig.ready`` so that the database engine carries its events too.
A channel with no registered source cannot be subscribed to (``ValueError``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import TracebackType
from typing import Any, Protocol, Self

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

logger = logging.getLogger(__name__)

USER_CHANNEL_PREFIX = "safecampus:user:"


def user_channel(user_id: int) -> str:
    return f"{USER_CHANNEL_PREFIX}{user_id}"


@dataclass(frozen=True)
class Message:
    channel: str
    event: str
    data: dict[str, Any]


class PollSource(Protocol):
    """Turns new database rows behind a channel into events (database engine only).

    Both methods run in a worker thread and may use the ORM. ``key`` is the part
    of the channel name after the registered prefix.
    """

    def start(self, key: str) -> Any:
        """The cursor as of now: events before it are never sent."""

    def poll(self, key: str, cursor: Any) -> tuple[Any, list[tuple[str, dict[str, Any]]]]:
        """The new cursor and the (event, data) pairs that appeared since ``cursor``."""


_sources: dict[str, PollSource] = {}


def register_source(prefix: str, source: PollSource) -> None:
    _sources[prefix] = source


def _source_for(channel: str) -> tuple[PollSource, str]:
    for prefix, source in _sources.items():
        if channel.startswith(prefix):
            return source, channel[len(prefix) :]
    raise ValueError(f"No event source is registered for channel {channel!r}.")


class Subscription(Protocol):
    """``async with broker.subscribe([...]) as events: async for message in events: …``

    Entering returns only once the subscription is live, so an event published
    after that point is never missed.
    """

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def __aiter__(self) -> Self: ...

    async def __anext__(self) -> Message: ...


class Broker(Protocol):
    #: True when ``publish`` carries the event; False when a poll source finds it.
    pushes: bool

    def publish(self, channel: str, event: str, data: dict[str, Any]) -> None: ...

    def subscribe(
        self, channels: Sequence[str], *, poll_seconds: float | None = None
    ) -> Subscription: ...


class DatabaseBroker:
    """The embedded engine: no service to run, a poll per channel per interval.

    Polls share asgiref's one ORM thread, so this suits a single machine with
    hundreds of open pages; beyond that, set ``REDIS_URL``.
    """

    pushes = False

    def publish(self, channel: str, event: str, data: dict[str, Any]) -> None:
        return None

    def subscribe(
        self, channels: Sequence[str], *, poll_seconds: float | None = None
    ) -> _PollingSubscription:
        interval = settings.STREAM_POLL_SECONDS if poll_seconds is None else poll_seconds
        return _PollingSubscription(channels, float(interval))


class _PollingSubscription:
    def __init__(self, channels: Sequence[str], interval: float) -> None:
        self.targets = [(channel, *_source_for(channel)) for channel in channels]
        self.interval = interval
        self.cursors: list[Any] = []
        self.pending: list[Message] = []

    def _start(self) -> list[Any]:
        close_old_connections()
        return [source.start(key) for _, source, key in self.targets]

    def _poll(self) -> list[Message]:
        # A long-lived thread never sees request_finished: drop a broken or aged connection here.
        close_old_connections()
        found: list[Message] = []
        for index, (channel, source, key) in enumerate(self.targets):
            self.cursors[index], events = source.poll(key, self.cursors[index])
            found.extend(Message(channel, event, data) for event, data in events)
        return found

    async def __aenter__(self) -> Self:
        self.cursors = await sync_to_async(self._start)()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Message:
        while not self.pending:
            await asyncio.sleep(self.interval)
            self.pending = await sync_to_async(self._poll)()
        return self.pending.pop(0)


class RedisBroker:
    """Redis pub/sub: events arrive as published; nothing is stored, nothing replayed.

    Each open stream holds its own subscriber connection to Redis.
    """

    pushes = True

    def __init__(self, url: str) -> None:
        import redis

        self.url = url
        self.client = redis.Redis.from_url(url)

    def publish(self, channel: str, event: str, data: dict[str, Any]) -> None:
        self.client.publish(channel, json.dumps({"event": event, "data": data}, ensure_ascii=False))

    def subscribe(
        self, channels: Sequence[str], *, poll_seconds: float | None = None
    ) -> _RedisSubscription:
        return _RedisSubscription(self.url, channels)


class _RedisSubscription:
    def __init__(self, url: str, channels: Sequence[str]) -> None:
        self.url = url
        self.channels = list(channels)

    async def __aenter__(self) -> Self:
        import redis.asyncio

        self.client = redis.asyncio.Redis.from_url(self.url)
        self.pubsub = self.client.pubsub()
        await self.pubsub.subscribe(*self.channels)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        try:
            await self.pubsub.aclose()
        finally:
            await self.client.aclose()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Message:
        while True:
            raw = await self.pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
            if raw is None or raw.get("type") != "message":
                continue
            try:
                envelope = json.loads(raw["data"])
                return Message(raw["channel"].decode(), envelope["event"], envelope["data"])
            except (ValueError, KeyError, TypeError, AttributeError):
                logger.warning("Ignored a malformed message on %r", raw.get("channel"))


def get_broker() -> Broker:
    """Redis when ``REDIS_URL`` is set, else the database."""
    return _broker_for(settings.REDIS_URL)


@lru_cache(maxsize=4)
def _broker_for(url: str) -> Broker:
    return RedisBroker(url) if url else DatabaseBroker()
