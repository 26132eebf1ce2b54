"""``make run`` (``manage.py serve``) on a fresh directory: devices can publish at once
through the NATS broker it starts, only with their logins, and stopping serve stops it."""

from __future__ import annotations

import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bench.ingest import Publisher, event
from bench.web import free_port
from tests.ingest.conftest import PY, ROOT


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().partition("=")[::2] for item in raw if b"=" in item)


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _port_open(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def served(site, tmp_path):
    ports = {"PORT": free_port(), "NATS_PORT": free_port(), "NATS_MQTT_PORT": free_port()}
    env = {**site.env, **{k: str(v) for k, v in ports.items()}}
    env.pop("SITE_URL", None)
    env.pop("MQTT_URL", None)
    log = open(tmp_path / "serve.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [PY, "manage.py", "serve", "--port", str(ports["PORT"]), "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    served_url = Path(site.env["SAFECAMPUS_VAR_DIR"]) / "served-url"
    deadline = time.monotonic() + 120
    while not (served_url.exists() and _port_open(ports["PORT"])):
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
        time.sleep(0.3)
    yield proc, ports, served_url
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    log.close()


def test_serve_runs_nats_with_device_logins_and_an_ingest_process(served, site):
    proc, ports, served_url = served
    url = f"http://127.0.0.1:{ports['PORT']}"
    assert served_url.read_text().strip() == url
    # every child process (web, stream, worker, ingest) has SITE_URL = what is served
    children = _children(proc.pid)
    kinds = {"gunicorn": 0, "uvicorn": 0, "run_huey": 0, " ingest ": 0}
    for child in children:
        for kind in kinds:
            if kind in _cmdline(child):
                kinds[kind] += 1
                assert _environ(child)["SITE_URL"] == url
    assert kinds == {"gunicorn": 1, "uvicorn": 1, "run_huey": 1, " ingest ": 1}
    with urllib.request.urlopen(url + "/accounts/login/", timeout=90) as response:
        assert response.status == 200 and response.getheader("Server") is None
    # the stream (uvicorn, PORT+1) names no server product either; it refuses a stranger
    stream = f"http://127.0.0.1:{int(ports['PORT']) + 1}/stream/alerts"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(stream, timeout=30)
    assert refused.value.code in (401, 403) and refused.value.headers.get("Server") is None
    # the reproduction: no username → refused; the device's own secret → stored
    mqtt = ports["NATS_MQTT_PORT"]
    anonymous = subprocess.run(
        ["mosquitto_pub", "-p", str(mqtt), "-q", "1", "-t", site.topic("CAM-B"), "-m", "{}"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert anonymous.returncode != 0
    assert "not authorised" in anonymous.stderr
    device = Publisher(mqtt, username="CAM-B", password=site.secrets["CAM-B"])
    device.publish([(site.topic("CAM-B"), event("via-make-run", kind="panic_button"), 1)])
    assert device.wait(10)
    device.close()
    assert site.wait_stored(1, timeout=30) == (1, 1)
    assert site.query("SELECT event_id, type FROM security_deviceevent") == [
        ("via-make-run", "panic_button")
    ]
    # stopping serve stops all it started, the broker too
    nats_pid = int((Path(site.env["BROKERS_DIR"]) / "nats" / "pid").read_text())
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(60) == 0
    for pid in [*children, nats_pid]:
        assert not Path(f"/proc/{pid}").exists() or " Z " in Path(f"/proc/{pid}/stat").read_text()
    assert not _port_open(mqtt)
    assert not served_url.exists()
