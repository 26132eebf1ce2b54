"""Device logins on the shipped NATS broker: who may connect, publish and subscribe.

The registry is the truth: a change made through the device services reaches the running
broker (its login file rewritten after the commit, then a reload) within 10 s.
"""

from __future__ import annotations

import asyncio
import threading
import time

import paho.mqtt.client as mqtt
import pytest

from bench.ingest import Publisher, event
from bench.web import manage

REFUSED = "no MQTT connection"


def stored_ids(site) -> list[str]:
    return sorted(r[0] for r in site.query("SELECT event_id FROM security_deviceevent"))


def service(site, code: str, call: str) -> tuple[str, float]:
    """Run a device service on ``code`` in a process of the site, as a page would: what it
    returned, and the wall-clock time its transaction had committed by."""
    script = (
        "import time\n"
        "from safecampus.security.models import Device\n"
        "from safecampus.security.services.devices import (\n"
        "    device_rotate_secret, device_set_enabled)\n"
        f"device = Device.objects.get(code={code!r})\n"
        f"result = {call}\n"
        "print(result, time.time())\n"
    )
    result, committed = (
        manage(site.env, "shell", "-c", script).strip().splitlines()[-1].rsplit(" ", 1)
    )
    return result, float(committed)


def test_anonymous_and_wrong_password_are_refused(nats, site):
    with pytest.raises(RuntimeError, match=REFUSED):
        Publisher(nats.mqtt_port, timeout=3)
    with pytest.raises(RuntimeError, match=REFUSED):
        Publisher(nats.mqtt_port, username="CAM-A", password="not-the-secret", timeout=3)
    with pytest.raises(RuntimeError, match=REFUSED):  # a device's secret is its own
        Publisher(nats.mqtt_port, username="CAM-B", password=site.secrets["CAM-A"], timeout=3)
    with pytest.raises(RuntimeError, match=REFUSED):  # no device has this code
        Publisher(nats.mqtt_port, username="NO-SUCH", password="x", timeout=3)


def test_a_device_publishes_only_under_its_own_topics(nats, site, ingest_factory):
    ingest = ingest_factory(site, nats)
    spoofer = site.device(nats)
    spoofer.publish(
        [
            (site.topic("CAM-B"), event("other-device"), 1),  # XB-002's camera
            ("safecampus/XB-002/CAM-A/events", event("other-school"), 2),  # its code, not school
            (site.topic("CAM-C", "status"), b"{}", 3),  # a heartbeat for another device
            ("safecampus/XB-001/CAM-A/x/events", event("too-deep"), 4),
            ("$JS/API/STREAM/DELETE/$MQTT_msgs", b"", 5),  # the JetStream API
        ]
    )
    spoofer.wait(10)
    spoofer.close()
    own = site.device(nats)  # a fresh connection, whatever the server did with the last one
    own.publish([(site.topic("CAM-A"), event("own"), 6)])
    assert own.wait(10)
    assert site.wait_stored(1) == (1, 1)
    time.sleep(1)  # anything else that got through would be stored by now
    counters = ingest.stop()
    assert stored_ids(site) == ["own"]
    assert (counters["received"], counters["stored"], counters["status"]) == (1, 1, 0)
    assert site.query("SELECT code FROM security_device WHERE last_seen_at IS NOT NULL") == [
        ("CAM-A",)
    ]
    assert nats.pid  # (the stream survived the attempt on its API)
    own.close()


def test_a_device_subscribes_to_nothing(nats, site):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.username_pw_set("CAM-A", site.secrets["CAM-A"])
    granted: dict[str, list[int]] = {}
    done = threading.Event()

    def subscribed(c, userdata, mid, reasons, props):
        granted[mid] = [reason.value for reason in reasons]
        done.set()

    client.on_subscribe = subscribed
    client.connect("127.0.0.1", nats.mqtt_port)
    client.loop_start()
    try:
        topics = [
            site.topic("CAM-B"),
            "safecampus/#",
            site.topic("CAM-A"),  # not even its own
            "$MQTT/msgs/#",  # the stream's subjects
            "#",
        ]
        for topic in topics:
            done.clear()
            _rc, mid = client.subscribe(topic, qos=1)
            assert done.wait(10), topic
            assert granted[mid] == [128], topic  # 0x80: failure
    finally:
        client.disconnect()
        client.loop_stop()


def test_a_device_cannot_use_the_nats_protocol(nats, site):
    """So no JetStream API, no stream, no consumer: only MQTT, only its topics."""
    import nats as nats_client
    from nats.errors import Error

    async def connect() -> None:
        await nats_client.connect(
            f"nats://127.0.0.1:{nats.ports['NATS_PORT']}",
            user="CAM-A",
            password=site.secrets["CAM-A"],
            allow_reconnect=False,
            max_reconnect_attempts=0,
            connect_timeout=3,
        )

    with pytest.raises(Error, match="Authorization Violation"):
        asyncio.run(connect())


def test_a_disabled_device_is_refused_within_10_s(nats, site, ingest_factory):
    ingest = ingest_factory(site, nats)
    live = site.device(nats)
    live.publish([(site.topic("CAM-A"), event("before"), 1)])
    assert live.wait(10)
    assert site.wait_stored(1) == (1, 1)
    started = time.time()
    _, committed = service(
        site, "CAM-A", "device_set_enabled(actor=None, device=device, enabled=False)"
    )
    while True:
        try:
            Publisher(
                nats.mqtt_port, username="CAM-A", password=site.secrets["CAM-A"], timeout=2
            ).close()
        except RuntimeError:
            break
        assert time.time() - committed < 10, "still accepted 10 s after disabling"
        time.sleep(0.2)
    refused = time.time()
    print(
        f"disabled device refused {refused - committed:.2f} s after the commit "
        f"({refused - started:.1f} s after the process making the change started)"
    )
    assert refused - committed < 10
    # its open connection was closed by the reload (paho now fails to reconnect)
    assert not live.connected.is_set()
    live.client.loop_stop()
    # other devices are untouched
    other = site.device(nats, "CAM-B")
    other.publish([(site.topic("CAM-B"), event("still-fine"), 2)])
    assert other.wait(10)
    assert site.wait_stored(2) == (2, 2)
    ingest.stop()
    other.close()
    # enabled again, it may log in again
    service(site, "CAM-A", "device_set_enabled(actor=None, device=device, enabled=True)")
    site.device(nats).close()


def test_after_rotation_the_old_secret_is_refused_and_the_new_one_works(nats, site, ingest_factory):
    ingest = ingest_factory(site, nats)
    old = site.secrets["CAM-A"]
    live = site.device(nats)  # connected with the old secret
    new, committed = service(site, "CAM-A", "device_rotate_secret(actor=None, device=device)")
    assert len(new) == 40 and new != old
    while True:
        try:
            Publisher(nats.mqtt_port, username="CAM-A", password=old, timeout=2).close()
        except RuntimeError:
            break
        assert time.time() - committed < 10, "the old secret still works 10 s after rotation"
        time.sleep(0.2)
    with pytest.raises(RuntimeError, match=REFUSED):
        Publisher(nats.mqtt_port, username="CAM-A", password=old, timeout=3)
    assert not live.connected.is_set()  # the reload closed the old login's connection
    live.client.loop_stop()
    device = Publisher(nats.mqtt_port, username="CAM-A", password=new)
    device.publish([(site.topic("CAM-A"), event("after-rotation"), 1)])
    assert device.wait(10)
    assert site.wait_stored(1) == (1, 1)
    ingest.stop()
    assert stored_ids(site) == ["after-rotation"]
    device.close()


def test_a_broker_started_later_reads_the_registry(broker_factory, site):
    """No broker ran while the devices were registered: its start writes their logins."""
    assert not (site.passwd.parent.parent / "nats" / "pid").exists()
    broker = broker_factory("nats", site)
    device = site.device(broker, "CAM-C")
    device.close()
