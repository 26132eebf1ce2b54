"""make bench-ingest: device events through MQTT and HTTP into PostgreSQL, same run as the
floors they are compared with.

Capacity (issue #13): every consumer drains the same backlog — EVENTS events published, by
BENCH_PUBLISHERS processes, to its persistent session while it was offline — timed from its
connection to its last commit; each drain is made cold (first) and warm (again). Side by
side: the raw broker drain (a paho loop that only counts), the raw PostgreSQL COPY of the
same rows, a naive consumer in its own process (paho → orjson → COPY of 2,000, ack after
commit, no checks, dedup or rules) and our ``manage.py ingest`` in 1, 2 and 3 processes
(more than one: an MQTT 5 shared subscription), with the events lost and the alerts made.
Then HTTP batches under gunicorn and, while ten devices publish live at 1,000 events/s, the
latency from each event's publish to its alert's update on ``/stream/alerts``.
Targets: ingest >= 50% of the raw drain and >= 1.5× the naive drain, 0 lost, alert p99 <
500 ms. The publisher here is also what tests/ingest drives the brokers with.

Environment: BENCH_EVENTS (default 50,000), BENCH_PUBLISHERS (default 4),
BENCH_INGEST_PROCESSES (default 1,2,3), BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/safecampus_bench_ingest, dropped and re-created),
BENCH_REDIS_URL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import paho.mqtt.client as mqtt

from bench.targets import Target, finish
from bench.web import free_port, manage, start_gunicorn, wait_until_up


def event(event_id: str, *, kind: str = "line_crossing", when: datetime | None = None) -> bytes:
    """One generic event of ~200 bytes, as a camera sends it."""
    return orjson.dumps(
        {
            "event_id": event_id,
            "type": kind,
            "occurred_at": (when or datetime.now(UTC)).isoformat(),
            "zone": "east-gate",
            "confidence": 0.91,
            "attributes": {"channel": 1, "rule": "fence line 3", "direction": "in"},
        }
    )


class Publisher:
    """A QoS 1 publisher that knows which messages the broker acknowledged (PUBACK)."""

    def __init__(
        self,
        port: int,
        *,
        username: str | None = None,
        password: str | None = None,
        client_id: str = "",
        inflight: int = 1000,
        timeout: float = 10,
    ) -> None:
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311
        )
        if username:
            self.client.username_pw_set(username, password)
        self.client.max_inflight_messages_set(inflight)
        self.client.max_queued_messages_set(0)
        self.acked: set[int] = set()
        self.pending: dict[int, Any] = {}
        self.lock = threading.Lock()
        self.connected = threading.Event()
        self.client.on_publish = self._published
        self.client.on_connect = self._connected
        self.client.on_disconnect = lambda *a: self.connected.clear()
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        if not self.connected.wait(timeout):
            self.close()
            raise RuntimeError(f"no MQTT connection to port {port}")

    def _connected(self, client: Any, userdata: Any, flags: Any, reason: Any, p: Any) -> None:
        if not reason.is_failure:
            self.connected.set()

    def _published(self, client: Any, userdata: Any, mid: int, reason: Any, props: Any) -> None:
        with self.lock:
            key = self.pending.pop(mid, None)
            if key is not None:
                self.acked.add(key)

    def publish(
        self,
        messages: Iterable[tuple[str, bytes, int]],
        *,
        rate: float = 0,
        sent_at: list[float] | None = None,
    ) -> int:
        """(topic, payload, key) each; ``rate`` messages/s (0: as fast as possible). Stops
        at the first message the client cannot send (the broker is gone); returns how many
        were sent."""
        started, n = time.perf_counter(), 0
        for n, (topic, payload, key) in enumerate(messages):
            info = self.client.publish(topic, payload, qos=1)
            if info.rc != mqtt.MQTT_ERR_SUCCESS:
                return n
            if sent_at is not None:
                sent_at.append(time.perf_counter())
            with self.lock:
                if info.is_published():
                    self.acked.add(key)
                else:
                    self.pending[info.mid] = key
            if rate:
                ahead = started + n / rate - time.perf_counter()
                if ahead > 0:
                    time.sleep(ahead)
        return n + 1

    def wait(self, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if not self.pending:
                    return True
            time.sleep(0.02)
        return False

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


# --- the benchmark -------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
EVENTS = int(os.environ.get("BENCH_EVENTS", "50000"))
DB_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/safecampus_bench_ingest"
)
DEVICES = 10
PUBLISHERS = int(os.environ.get("BENCH_PUBLISHERS", "4"))
#: Each drain is made twice: "cold" (the consumer's first run after its processes started,
#: on a table without the phase's rows) and "warm" (the same again); the goals hold cold.
ROUNDS = ("cold", "warm")
INGEST_PROCESSES = tuple(
    int(n) for n in os.environ.get("BENCH_INGEST_PROCESSES", "1,2,3").split(",")
)
INGEST_PASSWORD = "bench-ingest"


def _pg(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1)


def private_redis() -> str | None:
    """A Redis database nobody else uses (empty now), so the run can empty it afterwards;
    ``BENCH_REDIS_URL`` names one. None when Redis does not answer or every candidate is in
    use (the stream then polls the database)."""
    import redis

    named = os.environ.get("BENCH_REDIS_URL")
    for url in [named] if named else [f"redis://127.0.0.1:6379/{n}" for n in range(14, 0, -1)]:
        try:
            if redis.Redis.from_url(url, socket_timeout=1).dbsize() == 0 or named:
                return url
        except redis.RedisError:
            return None
    return None


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url, socket_timeout=5).flushdb()


def drop_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_pg(url.rsplit("/", 1)[0] + "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(_pg(url.rsplit("/", 1)[0] + "/postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def brokers(action: str, env: dict[str, str]) -> None:
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "brokers.sh"), action, "mosquitto"],
        env=env,
        check=True,
        capture_output=True,
    )


def register(env: dict[str, str], passwd: Path) -> dict[str, tuple[str, str]]:
    """DEVICES cameras in two schools, each publishing with its own login (written from the
    registry, which keeps the broker's hash of each secret). code → (school, secret)."""
    devices = {}
    for n in range(DEVICES):
        school = "XB-001" if n % 2 else "XB-002"
        out = manage(
            env,
            "device_add",
            "--school",
            school,
            "--kind",
            "camera",
            "--name",
            f"cam {n}",
            "--code",
            f"BENCH-{n:02d}",
        )
        item = orjson.loads(out)
        devices[item["code"]] = (school, item["secret"])
    manage(env, "broker_credentials", "--mosquitto-passwd", str(passwd))
    return devices


def backlog(port: int, devices: dict[str, tuple[str, str]], prefix: str) -> float:
    """EVENTS events spread over the devices, as fast as the broker takes them, from
    PUBLISHERS processes (one Python process tops out near 2,000 msgs/s on this machine,
    below what the consumers can drain); msgs/s from the first publish to the last PUBACK."""
    per = EVENTS // len(devices)
    codes = list(devices)
    groups = [codes[i::PUBLISHERS] for i in range(min(PUBLISHERS, len(codes)))]
    procs = [
        subprocess.Popen(
            [PY, "-m", "bench.ingest", "publish", str(port), prefix, str(per)]
            + [f"{code}:{devices[code][0]}:{devices[code][1]}" for code in group],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for group in groups
    ]
    spans = []
    for proc in procs:
        out, _err = proc.communicate(timeout=300)
        assert proc.returncode == 0, "a publisher failed: the broker did not take the backlog"
        start, end = (float(x) for x in out.split())
        spans.append((start, end))
    return per * len(devices) / (max(e for _s, e in spans) - min(s for s, _e in spans))


def live_worker(port: int, logins: list[str]) -> None:
    """``python -m bench.ingest live PORT CODE:SCHOOL:SECRET …``: 1,000 perimeter
    intrusions per device at 100/s, a thread each; prints {code: [publish times]}."""
    sent: dict[str, list[float]] = {}

    def device(login: str) -> None:
        code, school, secret = login.split(":", 2)
        pub = Publisher(port, username=code, password=secret)
        topic = f"safecampus/{school}/{code}/events"
        items = ((topic, event(f"sse{i}", kind="perimeter_intrusion"), i) for i in range(1000))
        pub.publish(items, rate=100, sent_at=sent.setdefault(code, []))
        pub.wait(30)
        pub.close()

    threads = [threading.Thread(target=device, args=(login,)) for login in logins]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sys.stdout.buffer.write(orjson.dumps(sent))


def publish_worker(port: int, prefix: str, per: int, logins: list[str]) -> None:
    """``python -m bench.ingest publish PORT PREFIX PER CODE:SCHOOL:SECRET …``: PER events
    for each device, its own connection each; prints the (perf_counter, system-wide) time
    of the first publish and of the last acknowledgement."""
    publishers = []
    for login in logins:
        code, school, secret = login.split(":", 2)
        publishers.append((Publisher(port, username=code, password=secret), code, school))
    started = time.perf_counter()
    threads = []
    for pub, code, school in publishers:
        topic = f"safecampus/{school}/{code}/events"
        items = [(topic, event(f"{prefix}{i}"), i) for i in range(per)]
        thread = threading.Thread(target=pub.publish, args=(items,))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    for pub, _code, _school in publishers:
        if not pub.wait(120):
            sys.exit(1)
        pub.close()
    print(started, time.perf_counter(), flush=True)


class Session:
    """A persistent MQTT 5 session (the consumer side) for the raw and naive runs."""

    def __init__(
        self,
        port: int,
        client_id: str,
        on_message: Any,
        *,
        thread: bool = True,
        topics: tuple[str, ...] = ("safecampus/+/+/events",),
    ) -> None:
        from paho.mqtt.packettypes import PacketTypes
        from paho.mqtt.properties import Properties

        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        self.client.username_pw_set("safecampus-ingest", INGEST_PASSWORD)
        self.client.on_message = on_message
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = 3600
        self.subscribed = threading.Event()
        self.client.on_subscribe = lambda *a: self.subscribed.set()
        self.client.connect("127.0.0.1", port, clean_start=False, properties=props)
        self.client.subscribe([(topic, 1) for topic in topics])
        self.thread = thread
        if thread:
            self.client.loop_start()
            assert self.subscribed.wait(10)

    def close(self) -> None:
        self.client.disconnect()
        if self.thread:
            self.client.loop_stop()


def raw_broker(port: int, devices: dict[str, tuple[str, str]], prefix: str) -> tuple[float, float]:
    """Messages/s a paho callback loop receives from the backlog, doing nothing else — the
    upper reference no consumer can beat; and the publishers' rate filling the backlog."""
    Session(port, "bench-raw", lambda *a: None).close()
    published = backlog(port, devices, prefix)
    got, done = [0], threading.Event()

    def count(*_: Any) -> None:
        got[0] += 1
        if got[0] >= EVENTS:
            done.set()

    started = time.perf_counter()  # queued messages flow as soon as the session connects
    session = Session(port, "bench-raw", count)
    done.wait(300)
    rate = got[0] / (time.perf_counter() - started)
    session.close()
    drop_session(port, "bench-raw")
    return rate, published


#: The event table's shape, defaults and indexes, without its foreign keys.
LIKE = "LIKE security_deviceevent INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING INDEXES"
ROW_COLUMNS = (
    "device_id, school_id, event_id, type, occurred_at, received_at, zone, severity, "
    "confidence, subject, attributes, source, late"
)


def as_row(device: tuple[int, int], data: dict[str, Any], now: datetime) -> tuple:
    return (
        device[0],
        device[1],
        data["event_id"],
        data["type"],
        data["occurred_at"],
        now,
        data.get("zone", ""),
        data.get("severity", ""),
        data.get("confidence"),
        data.get("subject", ""),
        orjson.dumps(data.get("attributes", {})).decode(),
        "mqtt",
        False,
    )


def device_ids(conn: Any) -> dict[str, tuple[int, int]]:
    rows = conn.execute("SELECT code, id, school_id FROM security_device").fetchall()
    return {code: (pk, school) for code, pk, school in rows}


def raw_copy(rows: list[tuple]) -> float:
    """Rows/s PostgreSQL's COPY takes the same rows at, into an unconstrained copy."""
    import psycopg

    with psycopg.connect(_pg(DB_URL)) as conn:
        conn.execute(f"CREATE TABLE bench_copy ({LIKE})")
        started = time.perf_counter()
        with conn.cursor().copy(f"COPY bench_copy ({ROW_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        rate = len(rows) / (time.perf_counter() - started)
        conn.execute("DROP TABLE bench_copy")
        conn.commit()
        return rate


#: The naive consumer does what ``manage.py ingest`` does at its core, in its own process:
#: the same MQTT 5 session settings, the same batch size and wait, and acknowledgement only
#: after the batch is committed — but no validation, deduplication, rules or alerts.
NAIVE_BATCH, NAIVE_WAIT, NAIVE_RECEIVE_MAXIMUM = 2000, 0.05, 10000


def naive_consumer(port: int, events: int) -> None:
    """Run in a process of its own (``python -m bench.ingest naive PORT EVENTS``): paho →
    orjson → COPY into ``bench_naive``, ack after commit. Prints ``ready`` once set up,
    connects when it reads a line on stdin (its session holds the backlog), and prints
    ``done N`` when N events are stored."""
    import queue

    import psycopg
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    conn = psycopg.connect(_pg(DB_URL))
    conn.execute(f"CREATE TABLE IF NOT EXISTS bench_naive ({LIKE})")
    conn.commit()
    ids = device_ids(conn)
    inbox: queue.Queue[Any] = queue.Queue()
    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2,
        client_id="bench-naive",
        protocol=mqtt.MQTTv5,
        manual_ack=True,
    )
    client.username_pw_set("safecampus-ingest", INGEST_PASSWORD)
    client.on_message = lambda c, u, m: inbox.put((m.topic, m.payload, m.mid, m.qos))
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    props.ReceiveMaximum = NAIVE_RECEIVE_MAXIMUM
    print("ready", flush=True)
    sys.stdin.readline()
    client.connect("127.0.0.1", port, clean_start=False, properties=props)
    client.loop_start()
    stored = 0
    while stored < events:
        batch = [inbox.get()]
        deadline = time.monotonic() + NAIVE_WAIT
        while len(batch) < NAIVE_BATCH:
            try:
                batch.append(inbox.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                break
        now = datetime.now(UTC)
        rows = [as_row(ids[t.split("/")[2]], orjson.loads(p), now) for t, p, _m, _q in batch]
        with conn.cursor().copy(f"COPY bench_naive ({ROW_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        conn.commit()
        for _t, _p, mid, qos in batch:
            client.ack(mid, qos)
        stored += len(rows)
    print(f"done {stored}", flush=True)
    client.disconnect()
    client.loop_stop()
    conn.close()


def naive(port: int, devices: dict[str, tuple[str, str]], prefix: str) -> tuple[float, float]:
    """Events/s of the naive consumer (its own process) draining a backlog of EVENTS: from
    its connection to its last commit; and the publishers' rate filling the backlog."""
    Session(port, "bench-naive", lambda *a: None).close()
    published = backlog(port, devices, prefix)
    command = [PY, "-m", "bench.ingest", "naive", str(port), str(EVENTS)]
    proc = subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdin is not None and proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", "the naive consumer did not start"
    started = time.perf_counter()
    proc.stdin.write("go\n")
    proc.stdin.flush()
    line = proc.stdout.readline().split()
    rate = int(line[1]) / (time.perf_counter() - started)
    proc.wait(30)
    drop_session(port, "bench-naive")
    return rate, published


def drop_session(port: int, client_id: str) -> None:
    """End a persistent session, so that the broker stops queueing for it in later phases."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    client = mqtt.Client(
        mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
    )
    client.username_pw_set("safecampus-ingest", INGEST_PASSWORD)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 0
    connected = threading.Event()
    client.on_connect = lambda *a: connected.set()
    client.connect("127.0.0.1", port, clean_start=True, properties=props)
    client.loop_start()
    connected.wait(10)
    client.disconnect()
    client.loop_stop()


def naive_rows() -> list[tuple]:
    """The rows the naive run stored (the raw COPY figure copies the same rows)."""
    import psycopg

    with psycopg.connect(_pg(DB_URL)) as conn:
        columns = ROW_COLUMNS.replace("attributes", "attributes::text")
        rows = conn.execute(f"SELECT {columns} FROM bench_naive").fetchall()
        conn.execute("DROP TABLE bench_naive")
        return rows


def ingest_worker(port: int, name: str, shared: bool) -> None:
    """``python -m bench.ingest ingest PORT NAME [shared]`` (with the bench's Django
    environment): ``manage.py ingest`` loaded and set up, started when a line arrives on
    stdin — so that Django's start-up is not timed, as no other consumer's is."""
    import django

    django.setup()
    from django.core.management import call_command, load_command_class

    command = load_command_class("safecampus.security", "ingest")
    url = f"mqtt://safecampus-ingest:{INGEST_PASSWORD}@127.0.0.1:{port}"
    print("ready", flush=True)
    sys.stdin.readline()
    options = ["--broker", url, "--name", name, "--report-every", "0"]
    call_command(command, *options, *(["--shared"] if shared else []))


def ingest_topics(shared: bool) -> tuple[str, ...]:
    """The subscriptions ``manage.py ingest`` makes (``consumer.MqttSource.topics``)."""
    share = "$share/safecampus-ingest/" if shared else ""
    return (f"{share}safecampus/+/+/events", f"{share}safecampus/+/+/status")


def stored_events(conn: Any) -> int:
    return conn.execute("SELECT COUNT(*) FROM security_deviceevent").fetchone()[0]  # type: ignore[no-any-return]


def ours(
    port: int, devices: dict[str, tuple[str, str]], env: dict[str, str], processes: int,
    prefix: str,
) -> tuple[float, float, int, int]:  # fmt: skip
    """``manage.py ingest`` in ``processes`` processes (more than one: a shared
    subscription) draining a backlog of EVENTS: from their connection to the last event
    stored. Also the publishers' rate, the events lost (not stored within 10 minutes) and
    the alerts of the backlog's devices (each device's events make one alert)."""
    import psycopg

    shared = processes > 1
    names = [f"bench{n}" for n in range(processes)]
    for name in names:  # the sessions (and their subscriptions) exist before the backlog
        Session(
            port, f"safecampus-ingest-{name}", lambda *a: None, topics=ingest_topics(shared)
        ).close()
    with psycopg.connect(_pg(DB_URL), autocommit=True) as conn:
        before = stored_events(conn)
        published = backlog(port, devices, prefix)
        procs = []
        for name in names:
            command = [PY, "-m", "bench.ingest", "ingest", str(port), name]
            command += ["shared"] if shared else []
            proc = subprocess.Popen(
                command, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True,
            )  # fmt: skip
            procs.append(proc)
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().strip() == "ready", "manage.py ingest did not start"
        started = time.perf_counter()
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        deadline, stored = time.monotonic() + 600, 0
        while stored < EVENTS and time.monotonic() < deadline:
            time.sleep(0.05)
            stored = stored_events(conn) - before
        rate = stored / (time.perf_counter() - started)
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        alerts = conn.execute(
            "SELECT COUNT(*) FROM security_alert a JOIN security_device d ON d.id = a.device_id"
            " WHERE d.code LIKE 'BENCH-%' AND a.event_type = 'line_crossing'"
        ).fetchone()[0]  # type: ignore[index]
    for name in names:
        drop_session(port, f"safecampus-ingest-{name}")
    return rate, published, EVENTS - stored, alerts


def http_batches(env: dict[str, str], devices: dict[str, tuple[str, str]]) -> float:
    """Batches of 100 events, one client per device, against gunicorn (2 sync workers)."""
    import http.client

    port = free_port()
    server = start_gunicorn(env, port)
    total, per_request = EVENTS // 2, 100
    try:
        wait_until_up(port)
        codes = list(devices)
        stored = [0]
        lock = threading.Lock()

        def client(index: int) -> None:
            code = codes[index]
            auth = f"Device {code}:{devices[code][1]}"
            conn = http.client.HTTPConnection("127.0.0.1", port)
            n = index
            while True:
                with lock:
                    if stored[0] >= total:
                        return
                    stored[0] += per_request
                body = orjson.dumps(
                    [orjson.loads(event(f"http{n}-{i}")) for i in range(per_request)]
                )
                conn.request(
                    "POST",
                    "/api/v1/ingest/events",
                    body,
                    {"Authorization": auth, "Content-Type": "application/json"},
                )
                response = conn.getresponse()
                response.read()
                assert response.status == 202, response.status
                n += len(codes)

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return stored[0] / (time.perf_counter() - started)
    finally:
        server.terminate()
        server.wait(10)


def sse_latency(
    env: dict[str, str], port: int, devices: dict[str, tuple[str, str]]
) -> tuple[float, float, int, float] | None:
    """Per event: (p50, p99, events timed, p95) ms from publish to the alert's update on
    /stream/alerts at 1,000 events/s — 10 devices x 100/s for 10 s, one alert per device
    growing with each batch. The k-th count of an alert is reached by its device's k-th
    event: latency = the arrival of the first update showing count >= k - its publish."""
    import http.client

    import psycopg

    from bench.web import credentials

    session, _token = credentials(env)
    stream_port = free_port()
    url = f"mqtt://safecampus-ingest:{INGEST_PASSWORD}@127.0.0.1:{port}"
    procs = [
        subprocess.Popen(
            [
                PY,
                "-m",
                "uvicorn",
                "config.asgi:application",
                "--port",
                str(stream_port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--timeout-graceful-shutdown",
                "1",
            ],
            cwd=ROOT,
            env=env,
        ),
        subprocess.Popen(
            [PY, "manage.py", "ingest", "--broker", url, "--name", "bench", "--report-every", "0"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    arrivals: list[tuple[float, dict[str, Any]]] = []
    try:
        for _ in range(600):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", stream_port, timeout=30)
                conn.request("GET", "/stream/alerts", headers={"Cookie": f"sessionid={session}"})
                response = conn.getresponse()
                break
            except OSError:
                time.sleep(0.1)
        else:
            print("  the stream (uvicorn) did not answer within 60 s")
            return None
        if response.status != 200:
            print(f"  /stream/alerts answered {response.status}")
            return None

        def read() -> None:
            for raw in response:
                line = raw.decode().strip()
                if line.startswith("data:"):
                    arrivals.append((time.perf_counter(), orjson.loads(line[5:])))

        threading.Thread(target=read, daemon=True).start()
        time.sleep(3)  # the ingest process subscribes
        # The devices publish from PUBLISHERS processes of their own, so that this one only
        # reads the stream (its arrival times are not delayed by twenty publishing threads);
        # perf_counter is the system's monotonic clock, the same in every process.
        codes = list(devices)
        groups = [codes[i::PUBLISHERS] for i in range(min(PUBLISHERS, len(codes)))]
        publishers = [
            subprocess.Popen(
                [PY, "-m", "bench.ingest", "live", str(port)]
                + [f"{code}:{devices[code][0]}:{devices[code][1]}" for code in group],
                cwd=ROOT,
                stdout=subprocess.PIPE,
            )
            for group in groups
        ]
        sent: dict[str, list[float]] = {}
        for proc in publishers:
            out, _err = proc.communicate(timeout=120)
            sent.update(orjson.loads(out))
        time.sleep(3)
        with psycopg.connect(_pg(DB_URL)) as db:
            owner: dict[int, str] = dict(
                db.execute(
                    "SELECT a.id, d.code FROM security_alert a JOIN security_device d "
                    "ON d.id = a.device_id WHERE a.event_type = 'perimeter_intrusion'"
                ).fetchall()
            )
        # Every event is timed, not only the newest of each update: an update that raises an
        # alert's count from c to c' shows the events c+1 … c' of its device, each of which
        # waited from its own publish until this update arrived.
        latencies, shown = [], dict.fromkeys(owner, 0)
        for at, data in arrivals:
            alert, count = data.get("id"), min(int(data.get("count") or 0), 1000)
            if alert not in owner or count <= shown[alert]:
                continue
            published = sent[owner[alert]]
            latencies += [(at - published[k]) * 1000 for k in range(shown[alert], count)]
            shown[alert] = count
        latencies.sort()
        if not latencies:
            print(f"  no alert update timed ({len(arrivals)} stream messages, {len(owner)} alerts)")
            return None
        pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
        return pick(0.5), pick(0.99), len(latencies), pick(0.95)
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main() -> None:
    var = Path(tempfile.mkdtemp(prefix="sc-bench-ingest-"))
    env = {
        **os.environ,
        "SAFECAMPUS_VAR_DIR": str(var),
        "DATABASE_URL": DB_URL,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    # Alerts reach the stream through Redis when it runs (production), else the database poll.
    redis = private_redis()
    if redis:
        env["REDIS_URL"] = redis
    else:
        env.pop("REDIS_URL", None)
    fan_out = "through Redis" if env.get("REDIS_URL") else "database poll"
    broker_env = {
        **env,
        "BROKERS_DIR": str(var / "brokers"),
        "MOSQUITTO_PORT": str(free_port()),
        "MQTT_INGEST_PASSWORD": INGEST_PASSWORD,
        "PYTHON": PY,
    }
    port = int(broker_env["MOSQUITTO_PORT"])
    print(f"Setting up PostgreSQL ({DB_URL}) and Mosquitto (:{port}) in {var} …", flush=True)
    fresh_database(DB_URL)
    try:
        measure(env, broker_env, var, port, fan_out)
    finally:
        # nothing of the run stays behind: its files, its database, its Redis keys
        shutil.rmtree(var, ignore_errors=True)
        drop_database(DB_URL)
        if redis:
            flush_redis(redis)


def measure(env: dict[str, str], broker_env: dict[str, str], var: Path, port: int,
            fan_out: str) -> None:  # fmt: skip
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--schools", "2", "--quiet")
    brokers("start", broker_env)
    raw: dict[str, tuple[float, float]] = {}
    naive_rate: dict[str, tuple[float, float]] = {}
    ingest: dict[tuple[int, str], tuple[float, float, int, int]] = {}
    try:
        devices = register(env, var / "brokers" / "mosquitto" / "passwd")
        brokers("reload", broker_env)
        print(
            f"{EVENTS:,} events of ~200 bytes, QoS 1, {DEVICES} devices in {PUBLISHERS} "
            "publisher processes; every consumer drains the same backlog, published to its "
            "persistent session while it was offline (its capacity)\n",
            flush=True,
        )
        for rnd in ROUNDS:
            raw[rnd] = raw_broker(port, devices, f"raw-{rnd}-")
            naive_rate[rnd] = naive(port, devices, f"naive-{rnd}-")
        copy_rate = raw_copy(naive_rows())
        for processes in INGEST_PROCESSES:
            for rnd in ROUNDS:
                ingest[(processes, rnd)] = ours(
                    port, devices, env, processes, f"ours{processes}-{rnd}-"
                )
        http_rate = http_batches(env, devices)
        sse = sse_latency(env, port, devices)
    finally:
        brokers("stop", broker_env)
    for rnd in ROUNDS:
        print(
            f"{'raw broker: paho receive loop only, ' + rnd:<62}{raw[rnd][0]:>10,.0f} msgs/s"
            f"   publishers {raw[rnd][1]:,.0f} msgs/s"
        )
    print(f"{'raw PostgreSQL COPY of the same rows':<62}{copy_rate:>10,.0f} rows/s")
    for rnd in ROUNDS:
        print(
            f"{'naive: own process, paho → orjson → COPY (2,000), ' + rnd:<62}"
            f"{naive_rate[rnd][0]:>10,.0f} events/s   publishers {naive_rate[rnd][1]:,.0f} msgs/s"
        )
    for (processes, rnd), (rate, published, lost, alerts) in ingest.items():
        label = f"manage.py ingest × {processes}, {rnd}"
        print(
            f"{label:<62}{rate:>10,.0f} events/s   publishers {published:,.0f} msgs/s"
            f"   ({rate / naive_rate[rnd][0]:.2f}× naive, {rate / raw[rnd][0]:.0%} of raw;"
            f" {lost} lost, {alerts} alerts)"
        )
    print(f"{'HTTP batches of 100, gunicorn 2 workers, 4 clients':<62}{http_rate:>10,.0f} events/s")
    if sse:
        print(
            f"{'publish → alert on /stream/alerts at 1,000 events/s':<62}"
            f"per event p50 {sse[0]:,.0f} ms, p95 {sse[3]:,.0f} ms, p99 {sse[1]:,.0f} ms"
            f" ({sse[2]:,} events, {fan_out})"
        )
    else:
        print("publish → alert on /stream/alerts: could not be measured (see above)")
    p99 = sse[1] if sse else float("inf")
    # The goals hold for the cold drains; the best process count is the figure.
    best = max((k for k in ingest if k[1] == "cold"), key=lambda k: ingest[k][0])
    ingest_rate, lost = ingest[best][0], sum(v[2] for v in ingest.values())
    raw_rate, naive_cold = raw["cold"][0], naive_rate["cold"][0]
    finish(
        [
            Target(f"ingest drain (× {best[0]}) vs raw broker drain", ingest_rate, "events/s",
                   ">= 50% of raw", ingest_rate >= 0.5 * raw_rate, raw_rate, "raw broker drain"),
            Target(f"ingest drain (× {best[0]}) vs naive drain", ingest_rate, "events/s",
                   ">= 1.5× naive", ingest_rate >= 1.5 * naive_cold, naive_cold,
                   "naive paho → COPY"),
            Target("events lost (all ingest drains)", lost, "", "0", lost == 0),
            Target("publish → alert p99", p99, "ms", "< 500 ms", p99 < 500),
        ]
    )  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["naive"]:
        naive_consumer(int(sys.argv[2]), int(sys.argv[3]))
    elif sys.argv[1:2] == ["publish"]:
        publish_worker(int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5:])
    elif sys.argv[1:2] == ["live"]:
        live_worker(int(sys.argv[2]), sys.argv[3:])
    elif sys.argv[1:2] == ["ingest"]:
        ingest_worker(int(sys.argv[2]), sys.argv[3], sys.argv[4:5] == ["shared"])
    else:
        main()
