"""Device events through a real broker and a real ``ingest`` process into the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import orjson
import pytest

from bench.ingest import Publisher, event
from tests.ingest.conftest import balanced


def burst(site, code, n, *, prefix="e", start=0):
    return ((site.topic(code), event(f"{prefix}{i}"), i) for i in range(start, start + n))


def test_events_arrays_and_heartbeats_through_nats_are_stored_once(nats, site, ingest_factory):
    ingest = ingest_factory(site, nats)
    publisher, other = site.device(nats), site.device(nats, "CAM-B")
    publisher.publish(burst(site, "CAM-A", 1500))
    array = orjson.dumps([orjson.loads(event(f"b{i}")) for i in range(50)])
    other.publish([(site.topic("CAM-B"), array, -1), (site.topic("CAM-B", "status"), b"{}", -2)])
    assert publisher.wait(30) and other.wait(30)
    other.close()
    assert site.wait_stored(1550) == (1550, 1550)
    counters = ingest.stop()
    assert counters["received"] == 1550
    assert counters["stored"] == 1550
    assert counters["status"] == 1
    assert balanced(counters)
    assert site.query("SELECT COUNT(*) FROM security_device WHERE last_seen_at IS NOT NULL") == [
        (2,)
    ]
    assert site.query("SELECT DISTINCT source FROM security_deviceevent") == [("mqtt",)]
    publisher.close()


def test_redelivered_events_are_counted_as_duplicates(nats, site, ingest_factory):
    ingest = ingest_factory(site, nats)
    publisher, other = site.device(nats), site.device(nats, "CAM-C")
    publisher.publish(burst(site, "CAM-A", 300))
    publisher.publish(burst(site, "CAM-A", 300))  # the device sends them all again
    # the same event ids from another device are other events
    other.publish(burst(site, "CAM-C", 100))
    assert publisher.wait(30) and other.wait(30)
    other.close()
    assert site.wait_stored(400) == (400, 400)
    counters = ingest.stop()
    assert (counters["received"], counters["stored"], counters["duplicates"]) == (700, 400, 300)
    publisher.close()


def test_wrong_school_and_payload_are_dropped_and_counted(mosquitto, site, ingest_factory):
    """Through Mosquitto, whose ACL checks the device code only: the ingest process drops
    a topic of another school (NATS refuses it already: test_logins.py)."""
    ingest = ingest_factory(site, mosquitto)
    # Mosquitto 2.0.11 answers a denied QoS 1 publish with an MQTT 5 reason code even on a
    # 3.1.1 connection; paho then drops the connection and, reconnecting, sends again what
    # was not yet acknowledged — at-least-once, so a message already delivered could be
    # counted twice. The denied ones go through a connection of their own.
    denied = site.device(mosquitto)
    denied.publish(
        [
            ("safecampus/XB-001/NO-SUCH/events", event("unknown"), 2),  # the ACL drops it
            ("safecampus/XB-001/CAM-A/x/events", event("too-deep"), 3),  # the ACL drops it
        ]
    )
    assert denied.wait(30)
    denied.close()
    publisher = site.device(mosquitto)
    good = event("ok-1")
    publisher.publish(
        [
            ("safecampus/XB-002/CAM-A/events", event("wrong-school"), 1),  # CAM-A is XB-001's
            (site.topic("CAM-A"), b"{not json", 4),
            (site.topic("CAM-A"), b"[]", 5),
            (site.topic("CAM-A"), orjson.dumps({"event_id": "x", "type": "nonsense"}), 6),
            (site.topic("CAM-A"), good, 7),
        ]
    )
    late = event("late-1", when=datetime.now(UTC) - timedelta(hours=2))
    publisher.publish([(site.topic("CAM-A"), late, 8)])
    assert publisher.wait(30)
    assert site.wait_stored(2) == (2, 2)
    counters = ingest.stop()
    assert counters == {**counters, "received": 6, "stored": 2, "rejected": 4}
    # each refusal's reason is logged, the event's own one with its id and device only
    logged = ingest.log.read_text()
    assert "dropped a message on safecampus/XB-002/CAM-A/events: the device belongs to" in logged
    assert "rejected event 'x' of CAM-A: unknown type 'nonsense'" in logged
    assert sorted(site.query("SELECT event_id, late FROM security_deviceevent")) == [
        ("late-1", 1),
        ("ok-1", 0),
    ]
    # the late event is stored but raised no alert; the timely one did
    assert site.query("SELECT event_id FROM security_deviceevent WHERE alert_id IS NULL") == [
        ("late-1",)
    ]
    publisher.close()


def test_mosquitto_checks_device_logins_and_topics(mosquitto, site, ingest_factory):
    ingest = ingest_factory(site, mosquitto)
    device = site.device(mosquitto)
    device.publish(burst(site, "CAM-A", 200))
    # the ACL lets a device publish only under its own code; the broker drops the rest
    device.publish([(site.topic("CAM-B"), event("spoofed"), -1)])
    assert device.wait(30)
    with pytest.raises(RuntimeError, match="no MQTT connection"):
        Publisher(mosquitto.mqtt_port, username="CAM-A", password="not-the-secret", timeout=2)
    assert site.wait_stored(200) == (200, 200)
    counters = ingest.stop()
    assert counters["received"] == 200
    assert site.query("SELECT COUNT(*) FROM security_deviceevent WHERE event_id = 'spoofed'") == [
        (0,)
    ]
    device.close()


def test_mosquitto_drops_nothing_while_the_consumer_is_down(mosquitto, site, ingest_factory):
    """Mosquitto's default max_queued_messages (1000) would drop most of these."""
    ingest_factory(site, mosquitto).stop()  # its session now exists and outlives it
    device = site.device(mosquitto)
    device.publish(burst(site, "CAM-A", 6000))
    assert device.wait(30)
    assert len(device.acked) == 6000
    assert site.stored() == (0, 0)
    ingest = ingest_factory(site, mosquitto)
    assert site.wait_stored(6000) == (6000, 6000)
    counters = ingest.stop()
    assert (counters["received"], counters["stored"]) == (6000, 6000)
    device.close()


def test_several_ingest_processes_split_the_load(nats, site, ingest_factory):
    first, second = ingest_factory(site, nats, "p1"), ingest_factory(site, nats, "p2")
    publisher = site.device(nats)
    publisher.publish(burst(site, "CAM-A", 4000))
    assert publisher.wait(30)
    assert site.wait_stored(4000) == (4000, 4000)
    one, two = first.stop(), second.stop()
    assert one["stored"] + two["stored"] == 4000
    assert one["stored"] > 0 and two["stored"] > 0
    publisher.close()
