"""The ``ingest`` process: device events from a broker into the database (R-5.2).

Devices publish with QoS 1 to ``safecampus/<school>/<device>/events`` (one generic JSON
event or an array) and ``…/status`` (heartbeat). Messages are taken in batches, each batch
is stored in one transaction by ``ingest_batch`` and only then acknowledged, so a crash at
any point leaves every unacknowledged message with the broker, which delivers it again;
the (device, event_id) key makes the second delivery a counted duplicate. While the
database is unreachable the same batch is retried with a growing pause and nothing is
acknowledged; the broker keeps the rest.

Two ways to read, one pipeline:

* ``nats://`` — the production broker. NATS's MQTT listener (3.1.1, no shared
  subscriptions) stores QoS 1 messages in the JetStream stream ``$MQTT_msgs``; every
  ingest process pulls from one durable consumer there, so they split the load.
* ``mqtt://`` — Mosquitto (or any MQTT 5 broker): a shared subscription
  ``$share/safecampus-ingest/…`` with a persistent session per process.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import orjson
from django.db import InterfaceError, OperationalError, connection, transaction

from safecampus.security.models import Device
from safecampus.security.services.ingest import IngestResult, device_seen, ingest_batch

log = logging.getLogger("safecampus.ingest")

ROOT = "safecampus"
GROUP = "safecampus-ingest"
NATS_STREAM = "$MQTT_msgs"
NATS_PREFIX = "$MQTT.msgs."
NATS_FILTER = f"{NATS_PREFIX}{ROOT}.>"
#: Seconds before JetStream gives a fetched, unacknowledged message to another process:
#: what a crashed process delays its batch by. A batch stores in well under a second; one
#: held longer (database down) is kept alive with "in progress" every ACK_WAIT / 3.
ACK_WAIT = 5.0
MAX_ITEMS = 1000  # events in one message, as for one HTTP batch
#: Failures that say "the database is not there (yet)": wait and retry the same batch.
#: Anything else is a fault of the batch itself and is narrowed down message by message.
UNREACHABLE = (OperationalError, InterfaceError)


@dataclass
class Message:
    topic: str
    payload: bytes
    token: Any  # what the source needs to acknowledge it


@dataclass
class Counters:
    """Events received = stored + duplicates + rejected; status messages apart."""

    received: int = 0
    stored: int = 0
    duplicates: int = 0
    rejected: int = 0
    status: int = 0
    batches: int = 0
    db_retries: int = 0

    def line(self) -> str:
        return orjson.dumps(asdict(self)).decode()


class Source(Protocol):
    def start(self) -> None: ...
    def take(self, size: int, wait: float) -> list[Message]: ...
    def ack(self, messages: list[Message]) -> None: ...
    def keep(self, messages: list[Message]) -> None: ...
    def stop(self) -> None: ...


# --- sources -------------------------------------------------------------------------------


class MqttSource:
    """paho-mqtt with manual acknowledgement and a persistent session.

    ``client_id`` must stay the same across restarts of one process: its session holds
    the messages sent to it while it was down. ``shared``: an MQTT 5 shared subscription,
    so several processes split the load — but Mosquitto 2.0 does not restore shared
    subscriptions from its persistence file (measured): after a broker restart, messages
    published before the processes have reconnected are dropped. Hence off by default.
    """

    def __init__(
        self,
        url: str,
        *,
        client_id: str,
        version: int = 5,
        shared: bool = False,
        session_expiry: int = 7 * 86400,
        receive_maximum: int = 10000,
    ) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 1883
        self.version = version
        self.shared = shared and version == 5
        self.queue: queue.Queue[Message] = queue.Queue()
        # Packet ids restart on every connection: only messages of the current one may be
        # acknowledged (the broker sends the older ones again anyway).
        self.generation = 0
        protocol = mqtt.MQTTv5 if version == 5 else mqtt.MQTTv311
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=protocol,
            clean_session=None if version == 5 else False,
            manual_ack=True,
        )
        if parts.username:
            self.client.username_pw_set(unquote(parts.username), unquote(parts.password or ""))
        self.client.reconnect_delay_set(1, 5)
        self.client.on_connect = self._connected
        self.client.on_disconnect = self._disconnected
        self.client.on_message = self._received
        self.client.on_subscribe = self._subscribed
        self.properties = None
        if version == 5:
            self.properties = Properties(PacketTypes.CONNECT)
            self.properties.SessionExpiryInterval = session_expiry
            self.properties.ReceiveMaximum = receive_maximum

    def topics(self) -> list[str]:
        share = f"$share/{GROUP}/" if self.shared else ""
        return [f"{share}{ROOT}/+/+/events", f"{share}{ROOT}/+/+/status"]

    def start(self) -> None:
        kwargs: dict[str, Any] = {"keepalive": 30}
        if self.version == 5:
            kwargs.update(clean_start=False, properties=self.properties)
        self.client.connect(self.host, self.port, **kwargs)
        self.client.loop_start()

    def _connected(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if reason.is_failure:
            log.error("broker refused the connection: %s", reason)
            return
        self.generation += 1
        client.subscribe([(topic, 1) for topic in self.topics()])
        log.info("connected to mqtt://%s:%s", self.host, self.port)

    def _subscribed(self, client: Any, userdata: Any, mid: int, reasons: Any, p: Any) -> None:
        if any(reason.is_failure for reason in reasons):
            log.error("the broker refused the subscription: %s", reasons)
        else:
            log.info("ready: subscribed to %s", ", ".join(self.topics()))

    def _disconnected(self, client: Any, userdata: Any, flags: Any, reason: Any, p: Any) -> None:
        log.warning("broker connection lost (%s); reconnecting", reason)

    def _received(self, client: Any, userdata: Any, msg: Any) -> None:
        self.queue.put(Message(msg.topic, msg.payload, (self.generation, msg.mid, msg.qos)))

    def take(self, size: int, wait: float) -> list[Message]:
        try:
            first = self.queue.get(timeout=0.5)
        except queue.Empty:
            return []
        batch, deadline = [first], time.monotonic() + wait
        while len(batch) < size:
            left = deadline - time.monotonic()
            try:
                batch.append(self.queue.get(timeout=left) if left > 0 else self.queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def ack(self, messages: list[Message]) -> None:
        for message in messages:
            generation, mid, qos = message.token
            if generation == self.generation:
                self.client.ack(mid, qos)

    def keep(self, messages: list[Message]) -> None:
        """MQTT has no "still working on it": the session keeps them unacknowledged."""

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class NatsSource:
    """A pull subscription on the durable JetStream consumer over NATS's MQTT stream.

    nats-py is asynchronous; its loop runs in a thread of its own and the (synchronous,
    Django) pipeline calls into it.
    """

    def __init__(self, url: str, *, ack_wait: float = ACK_WAIT, mqtt_port: int | None = None):
        self.url = url
        self.ack_wait = ack_wait
        self.mqtt_port = mqtt_port
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.nc: Any = None
        self.sub: Any = None

    def _run(self, coroutine: Any, timeout: float | None = None) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    async def _connect(self) -> None:
        import nats

        # nats-py would send a percent-encoded password as it is: pass the login apart.
        parts = urlsplit(self.url)
        login: dict[str, str] = {}
        if parts.username:
            login = {"user": unquote(parts.username), "password": unquote(parts.password or "")}
        server = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        self.nc = await nats.connect(
            server, max_reconnect_attempts=-1, reconnect_time_wait=0.5, name=GROUP, **login
        )

    def setup(self) -> None:
        """Create the durable consumer (idempotent). With ``mqtt_port``, first make the
        server create its MQTT streams by connecting once, as a device would."""
        self.thread.start()
        self._run(self._connect(), 15)
        self._run(self._ensure_consumer(), 90)

    async def _ensure_consumer(self) -> None:
        from nats.errors import TimeoutError as NatsTimeout
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
        from nats.js.errors import BadRequestError, NotFoundError, ServerError

        js = self.nc.jetstream()
        for attempt in range(100):
            try:
                await js.stream_info(NATS_STREAM)
                break
            except NotFoundError:
                if self.mqtt_port and attempt == 0:
                    await asyncio.to_thread(_mqtt_touch, self.mqtt_port, self.url)
                await asyncio.sleep(0.2)
            except NatsTimeout:
                # A broker busy starting (or a loaded machine: measured in CI) answers the
                # JetStream API late; ask again rather than die at start.
                log.info("stream info not answered in time; asking again")
        config = ConsumerConfig(
            durable_name=GROUP,
            filter_subject=NATS_FILTER,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self.ack_wait,
            max_ack_pending=20000,
            max_deliver=-1,
        )
        for attempt in range(50):
            try:
                await js.add_consumer(NATS_STREAM, config)
            except BadRequestError as error:  # it exists with other settings: keep it as it is
                log.warning("durable consumer %s kept as it is: %s", GROUP, error)
            except ServerError as error:
                # Right after the server created its MQTT streams it may still be laying out
                # their directories (measured in CI: "meta.inf: no such file"); try again.
                if attempt == 49:
                    raise
                log.info("durable consumer not created yet (%s); retrying", error)
                await asyncio.sleep(0.2)
                continue
            return

    def start(self) -> None:
        self.setup()

        async def bind() -> Any:
            return await self.nc.jetstream().pull_subscribe_bind(GROUP, stream=NATS_STREAM)

        self.sub = self._run(bind(), 15)
        log.info("ready: pulling from %s consumer %s", NATS_STREAM, GROUP)

    def take(self, size: int, wait: float) -> list[Message]:
        import nats.errors

        async def fetch() -> list[Any]:
            try:
                return list(await self.sub.fetch(size, timeout=max(wait, 0.5)))
            except nats.errors.TimeoutError:
                return []

        try:
            messages = self._run(fetch(), 30)
        except (nats.errors.Error, TimeoutError) as error:
            log.warning("NATS fetch failed (%s); retrying", error)
            time.sleep(0.5)
            return []
        return [Message(_nats_topic(m.subject), m.data, m) for m in messages]

    def _each(self, messages: list[Message], method: str) -> None:
        async def run() -> None:
            for message in messages:
                await getattr(message.token, method)()
            await self.nc.flush()

        try:
            self._run(run(), 30)
        except Exception as error:  # a lost connection: the server redelivers after ack_wait
            log.warning("NATS %s failed: %s", method, error)

    def ack(self, messages: list[Message]) -> None:
        self._each(messages, "ack")

    def keep(self, messages: list[Message]) -> None:
        self._each(messages, "in_progress")

    def stop(self) -> None:
        if self.nc is not None:
            self._run(self.nc.close(), 10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def _nats_topic(subject: str) -> str:
    # nats-server 2.9 refuses "." inside MQTT topic levels, so the mapping reverses cleanly.
    return subject.removeprefix(NATS_PREFIX).replace(".", "/")


def _mqtt_touch(port: int, url: str) -> None:
    """Connect once over MQTT with the ingest account of ``url`` (the server creates its
    MQTT streams at the first MQTT login; an anonymous client is refused first)."""
    import paho.mqtt.client as mqtt

    parts = urlsplit(url)
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    if parts.username:
        client.username_pw_set(unquote(parts.username), unquote(parts.password or ""))
    try:
        client.connect("127.0.0.1", port)
        client.loop(1)
        client.disconnect()
    except OSError as error:
        log.warning("could not reach NATS's MQTT listener on %s: %s", port, error)


def source_for(
    url: str,
    *,
    client_id: str,
    version: int = 5,
    shared: bool = False,
    mqtt_port: int | None = None,
) -> Any:
    scheme = urlsplit(url).scheme
    if scheme in ("nats", "tls"):
        return NatsSource(url, mqtt_port=mqtt_port)
    if scheme in ("mqtt", "tcp"):
        return MqttSource(url, client_id=client_id, version=version, shared=shared)
    raise ValueError(f"unknown broker URL scheme {scheme!r} (nats:// or mqtt://)")


# --- the pipeline --------------------------------------------------------------------------


class DeviceDirectory:
    """Device code → enabled device (with its school), each remembered for ``ttl`` seconds,
    so a disabled or moved device is noticed within that time."""

    def __init__(self, ttl: float = 30.0) -> None:
        self.ttl = ttl
        self.known: dict[str, tuple[float, Device | None]] = {}

    def get(self, code: str) -> Device | None:
        now = time.monotonic()
        hit = self.known.get(code)
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        device = Device.objects.filter(code=code, enabled=True).select_related("school").first()
        # An unknown code is asked again sooner: it may be a device registered a moment ago.
        self.known[code] = (now if device else now - self.ttl + 2.0, device)
        return device


@dataclass
class Prepared:
    batch: list[tuple[Device, Any]] = field(default_factory=list)
    alive: dict[int, Device] = field(default_factory=dict)
    rejected: int = 0
    status: int = 0


class Pipeline:
    """Batches from a source → checks → ``ingest_batch`` → commit → acknowledgement."""

    def __init__(self, source: Any, *, batch_size: int = 2000, batch_wait: float = 0.05) -> None:
        self.source = source
        self.batch_size = batch_size
        self.batch_wait = batch_wait
        self.directory = DeviceDirectory()
        self.counters = Counters()
        self.stopping = threading.Event()
        self._warned: dict[tuple[str, str], float] = {}

    def _drop(self, prepared: Prepared, topic: str, reason: str) -> None:
        prepared.rejected += 1
        key, now = (reason, topic), time.monotonic()
        if now - self._warned.get(key, -60.0) >= 60.0:  # one line a minute per cause
            self._warned[key] = now
            log.warning("dropped a message on %s: %s", topic, reason)

    def _log_rejected(self, prepared: Prepared, result: IngestResult) -> None:
        """The reason of each event refused by the parser (unknown type, picture too large,
        …) with its device and event id only, one line a minute per device and reason."""
        for refused in result.rejected:
            index = refused.get("index")
            device = prepared.batch[index][0] if isinstance(index, int) else None
            code = device.code if device is not None else "?"
            key, now = (refused["reason"], code), time.monotonic()
            if now - self._warned.get(key, -60.0) >= 60.0:
                self._warned[key] = now
                log.warning(
                    "rejected event %r of %s: %s", refused.get("event_id"), code, refused["reason"]
                )

    def prepare(self, messages: list[Message]) -> Prepared:
        """Topic → (school, device) checked against the registry, JSON parsed."""
        prepared = Prepared()
        for message in messages:
            parts = message.topic.split("/")
            if len(parts) != 4 or parts[0] != ROOT or parts[3] not in ("events", "status"):
                self._drop(prepared, message.topic, "not a safecampus device topic")
                continue
            device = self.directory.get(parts[2])
            if device is None:
                self._drop(prepared, message.topic, "unknown or disabled device")
                continue
            if device.school.code != parts[1]:
                self._drop(prepared, message.topic, "the device belongs to another school")
                continue
            if parts[3] == "status":
                prepared.status += 1
                prepared.alive[device.pk] = device
                continue
            try:
                data = orjson.loads(message.payload)
            except orjson.JSONDecodeError:
                self._drop(prepared, message.topic, "payload is not JSON")
                continue
            items = data if isinstance(data, list) else [data]
            if not items or len(items) > MAX_ITEMS:
                self._drop(prepared, message.topic, f"a message carries 1 to {MAX_ITEMS} events")
                continue
            prepared.batch.extend((device, item) for item in items)
        return prepared

    def store(self, prepared: Prepared) -> IngestResult:
        with transaction.atomic():
            result = (
                ingest_batch(batch=prepared.batch, source="mqtt")
                if prepared.batch
                else IngestResult()
            )
            for device in prepared.alive.values():
                device_seen(device=device)
        return result

    def store_each(self, prepared: Prepared) -> IngestResult:
        """A batch that failed for a reason of its own: store device by device, so one bad
        message costs only itself (rejected, logged) and never blocks the queue."""
        total = IngestResult()
        by_device: dict[int, Prepared] = {}
        where: dict[int, list[int]] = {}  # a part's index → the batch's, for the log
        for position, (device, item) in enumerate(prepared.batch):
            by_device.setdefault(device.pk, Prepared()).batch.append((device, item))
            where.setdefault(device.pk, []).append(position)
        for key, part in [*by_device.items(), (0, Prepared(alive=prepared.alive))]:
            try:
                stored = self.store(part)
                for refused in stored.rejected:
                    refused["index"] = where[key][refused["index"]]
                total.add(stored)
            except UNREACHABLE:
                raise
            except Exception:
                log.exception("could not store %s events of one device", len(part.batch))
                total.rejected += [{"reason": "storage failed"}] * len(part.batch)
        return total

    def commit(self, messages: list[Message]) -> bool:
        """Store the batch, then acknowledge it; False if stopped before it was stored."""
        delay, kept = 0.2, time.monotonic()
        while True:
            try:
                prepared = self.prepare(messages)
                try:
                    result = self.store(prepared)
                except UNREACHABLE:
                    raise
                except Exception:
                    log.exception("a batch failed; storing it device by device")
                    result = self.store_each(prepared)
                break
            except UNREACHABLE as error:
                self.counters.db_retries += 1
                log.warning("database unreachable (%s); retrying in %.1f s", error, delay)
                _close_connection()
                if self.stopping.wait(delay):
                    return False  # not acknowledged: the broker delivers them again
                delay = min(delay * 2, ACK_WAIT / 4)
                if time.monotonic() - kept > ACK_WAIT / 3:
                    self.source.keep(messages)
                    kept = time.monotonic()
        self.source.ack(messages)
        self._log_rejected(prepared, result)
        c = self.counters
        events = len(prepared.batch)
        c.received += events + prepared.rejected
        c.stored += result.accepted
        c.duplicates += result.duplicates
        c.rejected += prepared.rejected + len(result.rejected)
        c.status += prepared.status
        c.batches += 1
        return True

    def run(self, *, report_every: float = 10.0, report: Callable[[str], None] = print) -> None:
        self.source.start()
        last = time.monotonic()
        try:
            while not self.stopping.is_set():
                messages = self.source.take(self.batch_size, self.batch_wait)
                if messages and not self.commit(messages):
                    break
                if report_every and time.monotonic() - last >= report_every:
                    report(f"counters {self.counters.line()}")
                    last = time.monotonic()
        finally:
            self.source.stop()
            report(f"counters {self.counters.line()}")

    def stop_on_signals(self) -> None:
        def stop(*_: Any) -> None:
            self.stopping.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)


def _close_connection() -> None:
    try:
        connection.close()
    except Exception:  # the connection is already gone; the next query opens a new one
        connection.connection = None
