"""Crashes in the middle of a burst: the ingest process, the database, the broker.

Bounded: 20,000 small events each (the issue's size), a few seconds of outage.
"""

from __future__ import annotations

import getpass
import glob
import os
import shutil
import subprocess
import tempfile
import threading
import time

import pytest

from bench.ingest import event
from bench.web import free_port
from tests.ingest.conftest import Site, balanced, populate

pytestmark = pytest.mark.fault
N = 20_000


def burst(site, code, n, *, prefix="e", start=0):
    return ((site.topic(code), event(f"{prefix}{i}"), i) for i in range(start, start + n))


def when(condition, then, timeout=60.0):
    """Run ``then`` in a thread as soon as ``condition()`` holds."""

    def watch():
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)
        then()

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def settle(site, quiet=2.0, timeout=60.0):
    """The stored count once it has stopped growing for ``quiet`` seconds."""
    deadline, last, since = time.monotonic() + timeout, None, time.monotonic()
    while time.monotonic() < deadline:
        now = site.stored()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.2)
    return last


def stored_ids(site, code="CAM-A"):
    rows = site.query(
        "SELECT e.event_id FROM security_deviceevent e JOIN security_device d "
        f"ON d.id = e.device_id WHERE d.code = '{code}'"
    )
    return {int(r[0][1:]) for r in rows}


def test_ingest_killed_mid_burst_stores_every_event_once(nats, site, ingest_factory):
    first = ingest_factory(site, nats, "p1")
    publisher = site.device(nats)
    killer = when(lambda: site.stored()[0] >= 3000, first.kill)
    publisher.publish(burst(site, "CAM-A", N))
    assert publisher.wait(60)
    killer.join(60)
    assert first.proc.returncode == -9
    partial = site.stored()[0]
    assert 3000 <= partial < N
    second = ingest_factory(site, nats, "p1")
    assert site.wait_stored(N) == (N, N)
    counters = second.stop()
    assert balanced(counters)
    assert counters["stored"] == N - partial
    publisher.close()


def test_broker_killed_mid_burst_keeps_every_acknowledged_event(nats, site, ingest_factory):
    ingest = ingest_factory(site, nats)
    publisher = site.device(nats)
    killer = when(lambda: len(publisher.acked) >= 5000, lambda: nats.run("kill"))
    sent = publisher.publish(burst(site, "CAM-A", N), rate=8000)
    killer.join(60)
    acked = set(publisher.acked)
    assert 5000 <= len(acked) < N, (sent, len(acked))
    publisher.close()
    nats.run("start")
    site.wait_stored(len(acked), timeout=30)
    stored = settle(site, quiet=2.0)
    assert stored[0] == stored[1]  # each at most once
    assert acked <= stored_ids(site)  # everything the broker acknowledged
    counters = ingest.stop()
    assert balanced(counters)
    print(f"NATS kill -9: {len(acked)} acknowledged, {stored[0]} stored, 0 lost")


def test_mosquitto_loss_window_is_what_the_readme_says(mosquitto, site, ingest_factory):
    """Graceful restart: nothing lost. kill -9: only what arrived since the last autosave
    (autosave_interval 5 s in deploy/mosquitto/mosquitto.conf) is lost."""
    ingest_factory(site, mosquitto).stop()  # the ingest session exists, the consumer is down
    device = site.device(mosquitto)
    device.publish(burst(site, "CAM-A", 3000, start=0))
    assert device.wait(30)
    device.close()
    mosquitto.run("stop")
    mosquitto.run("start")
    device = site.device(mosquitto)
    device.publish(burst(site, "CAM-A", 3000, start=3000))
    assert device.wait(30)
    # Mosquitto saves when more than autosave_interval (5 s) whole seconds have passed
    # since the last save, i.e. within 6 s: these are saved by then.
    time.sleep(7.5)
    device.publish(burst(site, "CAM-A", 3000, start=6000))
    assert device.wait(30)
    mosquitto.run("kill")  # within the window: these may be lost
    device.close()
    mosquitto.run("start")
    ingest = ingest_factory(site, mosquitto)
    site.wait_stored(6000, timeout=30)
    rows, distinct = settle(site, quiet=2.0)
    ids = stored_ids(site)
    assert rows == distinct
    assert set(range(6000)) <= ids  # before the graceful stop, and before the last autosave
    lost = set(range(6000, 9000)) - ids
    print(f"Mosquitto kill -9: lost {len(lost)} of the 3000 published in the last 5 s")
    counters = ingest.stop()
    assert balanced(counters)


# --- the database goes away ----------------------------------------------------------------


def _pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@pytest.fixture
def own_postgres():
    """A PostgreSQL cluster of this test's own on a free port, so it can be stopped."""
    if not _pg_bin("initdb"):
        pytest.skip("PostgreSQL server binaries not installed")
    data = tempfile.mkdtemp(prefix="sc-pg-")
    as_user = []
    if os.geteuid() == 0:  # initdb refuses root
        shutil.chown(data, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()

    def ctl(*args):
        subprocess.run(
            [*as_user, _pg_bin("pg_ctl"), "-D", data, "-l", f"{data}/log", "-w", *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    subprocess.run(
        [*as_user, _pg_bin("initdb"), "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    ctl("-o", opts, "start")
    subprocess.run(
        [_pg_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "ingest"],
        check=True,
    )
    try:
        yield port, lambda: ctl("-m", "immediate", "stop"), lambda: ctl("-o", opts, "start")
    finally:
        subprocess.run(
            [*as_user, _pg_bin("pg_ctl"), "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(data, ignore_errors=True)


def test_database_stopped_mid_burst_loses_nothing(nats, own_postgres, tmp_path, ingest_factory):
    port, stop_db, start_db = own_postgres
    env = {
        **os.environ,
        "SAFECAMPUS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/ingest",
        "DB_CONN_MAX_AGE": "0",
        "BROKERS_DIR": str(nats.dir),  # its devices' logins go to this broker
    }
    site: Site = populate(env)
    ingest = ingest_factory(site, nats)
    publisher = site.device(nats)
    down = threading.Event()

    def outage():
        stop_db()
        down.set()
        time.sleep(10)
        start_db()

    outage_thread = when(lambda: site.stored()[0] >= 3000, outage)
    publisher.publish(burst(site, "CAM-A", N), rate=2500)
    assert publisher.wait(60)
    outage_thread.join(90)
    assert down.is_set()
    assert site.wait_stored(N, timeout=90) == (N, N)
    counters = ingest.stop()
    # Each event stored exactly once. Copies the broker redelivers because their ack deadline
    # passed while the consumer waited for the database (more of them on a loaded machine)
    # are recognised as duplicates, never stored twice.
    assert counters["stored"] == N
    assert counters["db_retries"] > 0
    assert balanced(counters)
    publisher.close()
    assert getpass.getuser()  # (ran as a real user; the system's PostgreSQL was not touched)
