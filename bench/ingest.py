"""make bench-ingest: device events through MQTT and HTTP into PostgreSQL, same run as the
floors they are compared with.

Printed side by side (issue #4): the raw broker rate (a paho subscriber that only counts),
the raw PostgreSQL COPY rate of the same rows, a naive pipeline (paho → orjson → COPY in
batches of 500, no validation, dedup or rules), our ``manage.py ingest`` draining the same
backlog from the shipped Mosquitto configuration, and HTTP batches under gunicorn.
Targets: ingest >= 5,000 events/s and >= 60% of the naive pipeline. The publisher here is
also what tests/ingest drives the brokers with.

Environment: BENCH_EVENTS (default 50,000), BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/safecampus_bench_ingest, dropped and re-created).
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
    """EVENTS events spread over the devices, as fast as the broker takes them; msgs/s."""
    per = EVENTS // len(devices)
    started = time.perf_counter()
    publishers = []
    for code, (school, secret) in devices.items():
        pub = Publisher(port, username=code, password=secret)
        topic = f"safecampus/{school}/{code}/events"
        pub.publish((topic, event(f"{prefix}{i}"), i) for i in range(per))
        publishers.append(pub)
    for pub in publishers:
        assert pub.wait(120), "the broker did not acknowledge the backlog"
        pub.close()
    return per * len(devices) / (time.perf_counter() - started)


class Session:
    """A persistent MQTT 5 session (the consumer side) for the raw and naive runs."""

    def __init__(self, port: int, client_id: str, on_message: Any, *, thread: bool = True) -> None:
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
        self.client.subscribe("safecampus/+/+/events", qos=1)
        self.thread = thread
        if thread:
            self.client.loop_start()
            assert self.subscribed.wait(10)

    def close(self) -> None:
        self.client.disconnect()
        if self.thread:
            self.client.loop_stop()


def raw_broker(port: int, devices: dict[str, tuple[str, str]]) -> tuple[float, float]:
    """Messages/s a paho callback loop receives from the backlog, doing nothing else — the
    upper reference no consumer can beat; and the publishers' rate filling the backlog."""
    Session(port, "bench-raw", lambda *a: None).close()
    published = backlog(port, devices, "raw")
    got, done, first = [0], threading.Event(), [0.0]

    def count(*_: Any) -> None:
        got[0] += 1
        if got[0] >= EVENTS:
            done.set()

    first[0] = time.perf_counter()  # queued messages flow as soon as the session connects
    session = Session(port, "bench-raw", count)
    done.wait(300)
    rate = got[0] / (time.perf_counter() - first[0])
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
    orjson → COPY into ``bench_naive``, ack after commit; prints ``ready`` once subscribed
    and ``done N`` when N events are stored."""
    import queue

    import psycopg
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    conn = psycopg.connect(_pg(DB_URL))
    conn.execute(f"CREATE TABLE bench_naive ({LIKE})")
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
    subscribed = threading.Event()
    client.on_message = lambda c, u, m: inbox.put((m.topic, m.payload, m.mid, m.qos))
    client.on_subscribe = lambda *a: subscribed.set()
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    props.ReceiveMaximum = NAIVE_RECEIVE_MAXIMUM
    client.connect("127.0.0.1", port, clean_start=False, properties=props)
    client.subscribe("safecampus/+/+/events", qos=1)
    client.loop_start()
    assert subscribed.wait(10)
    print("ready", flush=True)
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


def naive(port: int, devices: dict[str, tuple[str, str]]) -> tuple[float, float]:
    """Events/s of the naive consumer (its own process) while the devices publish, from the
    first publish to the last commit; and the publishers' own rate in that phase."""
    command = [PY, "-m", "bench.ingest", "naive", str(port), str(EVENTS)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready", "the naive consumer did not subscribe"
    published: list[float] = []
    started = time.perf_counter()
    publisher = threading.Thread(target=lambda: published.append(backlog(port, devices, "naive")))
    publisher.start()
    line = proc.stdout.readline().split()
    rate = int(line[1]) / (time.perf_counter() - started)
    publisher.join()
    proc.wait(30)
    drop_session(port, "bench-naive")
    return rate, published[0]


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


def ours(
    port: int, devices: dict[str, tuple[str, str]], env: dict[str, str]
) -> tuple[float, float]:
    """``manage.py ingest`` while the devices publish: from the first publish to the last
    event stored."""
    import psycopg

    url = f"mqtt://safecampus-ingest:{INGEST_PASSWORD}@127.0.0.1:{port}"
    command = [PY, "manage.py", "ingest", "--broker", url, "--name", "bench", "--report-every", "0"]
    first = subprocess.Popen(command, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    assert first.stderr is not None
    for line in first.stderr:  # the session and its subscription exist from here on
        if "ready:" in line:
            break
    threading.Thread(target=first.stderr.read, daemon=True).start()
    published: list[float] = []
    started = time.perf_counter()
    publisher = threading.Thread(target=lambda: published.append(backlog(port, devices, "ours")))
    publisher.start()
    with psycopg.connect(_pg(DB_URL), autocommit=True) as conn:
        deadline, stored = time.monotonic() + 600, 0
        while stored < EVENTS and time.monotonic() < deadline:
            time.sleep(0.05)
            stored = conn.execute("SELECT COUNT(*) FROM security_deviceevent").fetchone()[0]  # type: ignore[index]
        rate = stored / (time.perf_counter() - started)
    publisher.join()
    first.terminate()
    first.wait(30)
    drop_session(port, "safecampus-ingest-bench")
    return rate, published[0]


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
        sent: dict[str, list[float]] = {code: [] for code in devices}

        def device(code: str) -> None:
            school, secret = devices[code]
            pub = Publisher(port, username=code, password=secret)
            topic = f"safecampus/{school}/{code}/events"
            items = ((topic, event(f"sse{i}", kind="perimeter_intrusion"), i) for i in range(1000))
            pub.publish(items, rate=100, sent_at=sent[code])
            pub.wait(30)
            pub.close()

        threads = [threading.Thread(target=device, args=(code,)) for code in devices]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(3)
        with psycopg.connect(_pg(DB_URL)) as db:
            owner = dict(
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
    try:
        devices = register(env, var / "brokers" / "mosquitto" / "passwd")
        brokers("reload", broker_env)
        print(
            f"{EVENTS:,} events of ~200 bytes, QoS 1, {DEVICES} devices publishing at full "
            "speed while the consumer runs (the raw broker figure drains a backlog)\n"
        )
        raw, raw_published = raw_broker(port, devices)
        naive_rate, naive_published = naive(port, devices)
        copy_rate = raw_copy(naive_rows())
        ingest_rate, ours_published = ours(port, devices, env)
        http_rate = http_batches(env, devices)
        sse = sse_latency(env, port, devices)
    finally:
        brokers("stop", broker_env)
    share = ingest_rate / naive_rate
    print(
        f"{'raw broker: paho receive loop only (drains a backlog)':<58}{raw:>10,.0f} msgs/s"
        f"   publishers {raw_published:,.0f} msgs/s"
    )
    print(f"{'raw PostgreSQL COPY of the same rows':<58}{copy_rate:>10,.0f} rows/s")
    print(
        f"{'naive: own process, paho → orjson → COPY (2,000), ack after':<58}"
        f"{naive_rate:>10,.0f} events/s   publishers {naive_published:,.0f} msgs/s"
    )
    print(
        f"{'manage.py ingest (checks, dedup, rules, ack after commit)':<58}"
        f"{ingest_rate:>10,.0f} events/s   publishers {ours_published:,.0f} msgs/s"
        f"   ({share:.0%} of naive, {ingest_rate / raw:.0%} of raw)"
    )
    print(f"{'HTTP batches of 100, gunicorn 2 workers, 4 clients':<58}{http_rate:>10,.0f} events/s")
    if sse:
        print(
            f"{'publish → alert on /stream/alerts at 1,000 events/s':<58}"
            f"per event p50 {sse[0]:,.0f} ms, p95 {sse[3]:,.0f} ms, p99 {sse[1]:,.0f} ms"
            f" ({sse[2]:,} events, {fan_out})"
        )
    else:
        print("publish → alert on /stream/alerts: could not be measured (see above)")
    p99 = sse[1] if sse else float("inf")
    finish(
        [
            Target("ingest rate vs raw broker drain", ingest_rate, "events/s", ">= 50% of raw",
                   ingest_rate >= 0.5 * raw, raw, "raw broker drain"),
            Target("ingest rate vs naive pipeline", ingest_rate, "events/s", ">= 1.5× naive",
                   ingest_rate >= 1.5 * naive_rate, naive_rate, "naive paho → COPY"),
            Target("publish → alert p99", p99, "ms", "< 500 ms", p99 < 500),
        ]
    )  # fmt: skip


if __name__ == "__main__":
    if sys.argv[1:2] == ["naive"]:
        naive_consumer(int(sys.argv[2]), int(sys.argv[3]))
    else:
        main()
