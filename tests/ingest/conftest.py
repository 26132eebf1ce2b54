"""Real brokers, real ingest processes, a real database of their own.

Each broker is started by ``scripts/brokers.sh`` with the shipped configuration on free
ports in a temporary directory; the ingest process is ``manage.py ingest`` in a subprocess
against a SQLite file migrated once per session (with two schools and three devices) and
copied for each test, or, for the database fault test, a PostgreSQL cluster of its own.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bench.ingest import Publisher
from bench.web import free_port, manage

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
INGEST_USER, INGEST_PASSWORD = "safecampus-ingest", "ingest-test-password"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "fault: kills a broker, the ingest process or the database (runs in CI)"
    )


@dataclass
class Broker:
    """A broker of the site's own (its device logins come from the site's registry: the
    site's processes write them into ``dir``, as the web process does for ``make run``)."""

    kind: str
    dir: Path
    ports: dict[str, int]
    env: dict[str, str]

    @property
    def mqtt_port(self) -> int:
        return self.ports["NATS_MQTT_PORT" if self.kind == "nats" else "MOSQUITTO_PORT"]

    @property
    def url(self) -> str:
        if self.kind == "nats":
            return f"nats://{INGEST_USER}:{INGEST_PASSWORD}@127.0.0.1:{self.ports['NATS_PORT']}"
        return f"mqtt://{INGEST_USER}:{INGEST_PASSWORD}@127.0.0.1:{self.mqtt_port}"

    def run(self, action: str) -> None:
        env = {
            **self.env,
            "BROKERS_DIR": str(self.dir),
            "MQTT_INGEST_PASSWORD": INGEST_PASSWORD,
            "PYTHON": PY,
            **{k: str(v) for k, v in self.ports.items()},
        }
        subprocess.run(
            ["bash", str(ROOT / "scripts" / "brokers.sh"), action, self.kind],
            env=env,
            check=True,
            capture_output=True,
            timeout=60,
        )

    @property
    def pid(self) -> int:
        return int((self.dir / self.kind / "pid").read_text())


@pytest.fixture
def broker_factory(tmp_path):
    started: list[Broker] = []

    def start(kind: str, site: Site) -> Broker:
        names = ["NATS_PORT", "NATS_MQTT_PORT"] if kind == "nats" else ["MOSQUITTO_PORT"]
        broker = Broker(kind, brokers_dir(site), {n: free_port() for n in names}, site.env)
        started.append(broker)  # stopped afterwards even if its start fails half-way
        broker.run("start")
        return broker

    yield start
    for broker in started:
        broker.run("stop")


def brokers_dir(site: Site) -> Path:
    return Path(site.env["BROKERS_DIR"])


@pytest.fixture
def nats(broker_factory, site) -> Broker:
    return broker_factory("nats", site)


@pytest.fixture
def mosquitto(broker_factory, site) -> Broker:
    broker = broker_factory("mosquitto", site)
    # Written from the registry (the site's devices were registered before this broker's
    # directory existed, so nothing wrote its file yet).
    manage(site.env, "broker_credentials", "--mosquitto-passwd", str(site.passwd))
    broker.run("reload")
    return broker


@dataclass
class Site:
    """A migrated database with schools XB-001 (devices CAM-A, CAM-C) and XB-002 (CAM-B)."""

    env: dict[str, str]
    secrets: dict[str, str] = field(default_factory=dict)
    school_of: dict[str, str] = field(default_factory=dict)

    def topic(self, code: str, kind: str = "events") -> str:
        return f"safecampus/{self.school_of[code]}/{code}/{kind}"

    @property
    def passwd(self) -> Path:
        return Path(self.env["BROKERS_DIR"]) / "mosquitto" / "passwd"

    def device(self, broker: Broker, code: str = "CAM-A", **kwargs) -> Publisher:
        """A publisher logged in as device ``code``."""
        return Publisher(broker.mqtt_port, username=code, password=self.secrets[code], **kwargs)

    def query(self, sql: str) -> list[tuple]:
        url = self.env.get("DATABASE_URL")
        if url:
            import psycopg

            with psycopg.connect(url.replace("postgres://", "postgresql://")) as conn:
                return conn.execute(sql).fetchall()
        path = Path(self.env["SAFECAMPUS_VAR_DIR"]) / "safecampus.sqlite3"
        with sqlite3.connect(path, timeout=30) as conn:
            return conn.execute(sql).fetchall()

    def stored(self) -> tuple[int, int]:
        """(rows, distinct (device, event_id)) in the event table."""
        return self.query(
            "SELECT COUNT(*), COUNT(DISTINCT device_id || '/' || event_id) "
            "FROM security_deviceevent"
        )[0]

    def wait_stored(self, count: int, timeout: float = 60) -> tuple[int, int]:
        deadline = time.monotonic() + timeout
        while True:
            got = self.stored()
            if got[0] >= count or time.monotonic() > deadline:
                return got
            time.sleep(0.2)


def populate(env: dict[str, str]) -> Site:
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "--schools", "2", "--quiet")
    site = Site(env)
    for code, school in (("CAM-A", "XB-001"), ("CAM-B", "XB-002"), ("CAM-C", "XB-001")):
        out = manage(
            env,
            "device_add",
            "--school",
            school,
            "--kind",
            "camera",
            "--name",
            code,
            "--code",
            code,
        )
        site.secrets[code] = json.loads(out)["secret"]
        site.school_of[code] = school
    return site


@pytest.fixture(scope="session")
def site_template(tmp_path_factory) -> Site:
    var = tmp_path_factory.mktemp("ingest-template")
    env = {**os.environ, "SAFECAMPUS_VAR_DIR": str(var)}
    env.pop("DATABASE_URL", None)
    return populate(env)


@pytest.fixture
def site(site_template, tmp_path) -> Site:
    var = tmp_path / "var"
    var.mkdir()
    source = Path(site_template.env["SAFECAMPUS_VAR_DIR"])
    for name in os.listdir(source):
        if name.startswith("safecampus.sqlite3"):
            shutil.copy(source / name, var / name)
    env = {**site_template.env, "SAFECAMPUS_VAR_DIR": str(var), "BROKERS_DIR": str(var / "brokers")}
    return Site(env, dict(site_template.secrets), dict(site_template.school_of))


class Ingest:
    """``manage.py ingest`` as a subprocess; ``counters`` is its last printed line."""

    def __init__(self, env: dict[str, str], broker: Broker, name: str, log: Path) -> None:
        self.log = log
        log.write_text("")
        self.proc = subprocess.Popen(
            [
                PY,
                "manage.py",
                "ingest",
                "--broker",
                broker.url,
                "--name",
                name,
                "--report-every",
                "0.5",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=open(log, "ab"),  # noqa: SIM115
            text=True,
        )
        self.lines: list[str] = []
        self.wait_ready()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while "ready:" not in self.log.read_text():
            assert self.proc.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, f"ingest not ready: {self.log.read_text()}"
            time.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> dict:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        out, _ = self.proc.communicate(timeout=timeout)
        self.lines = [x for x in out.splitlines() if x.startswith("counters ")]
        return json.loads(self.lines[-1][9:]) if self.lines else {}

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def ingest_factory(tmp_path):
    running: list[Ingest] = []

    def start(site: Site, broker: Broker, name: str = "t1") -> Ingest:
        proc = Ingest(site.env, broker, name, tmp_path / f"ingest-{name}.log")
        running.append(proc)
        return proc

    yield start
    for proc in running:
        if proc.proc.poll() is None:
            proc.kill()


def balanced(counters: dict) -> bool:
    return counters["received"] == (
        counters["stored"] + counters["duplicates"] + counters["rejected"]
    )
