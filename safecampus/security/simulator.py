"""A device simulator for the demo district: the demo devices send heartbeats, face and
plate recognitions and the odd line crossing, then a night intrusion burst at a perimeter
wall and a one-key alarm from a guard room — over HTTP to a running server, or straight
into ``ingest_events`` when none runs.

Each run gives the demo devices fresh secrets (``device_rotate_secret``) and keeps them in
memory only, so no secret is stored or printed for the demo (see ``demo.py``).
"""

from __future__ import annotations

import base64
import io
import math
import random
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.utils import timezone

from safecampus.security.choices import DeviceKind, EventType
from safecampus.security.demo import demo_devices
from safecampus.security.models import Alert, Device
from safecampus.security.services.devices import device_rotate_secret
from safecampus.security.services.ingest import ingest_events

SCENARIOS = ("mixed", "night_intrusion", "panic")
INGEST_PATH = "/api/v1/ingest/events"
HTTP_TIMEOUT = 10


@dataclass
class SimDevice:
    device: Device
    secret: str
    next_heartbeat: int = 0


@dataclass
class SimReport:
    sent: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    failures: int = 0
    alerts: set[int] = field(default_factory=set)
    by_type: dict[str, int] = field(default_factory=dict)
    first_error: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": self.rejected,
            "failures": self.failures,
            "alerts": len(self.alerts),
            "by_type": dict(sorted(self.by_type.items())),
            "first_error": self.first_error,
        }


Sender = Callable[[SimDevice, list[dict[str, Any]]], dict[str, Any]]


def in_process_sender(sim: SimDevice, events: list[dict[str, Any]]) -> dict[str, Any]:
    """Hand the events straight to the ingest service (no server needed)."""
    result = ingest_events(device=sim.device, items=events, source="simulator")
    return {**result.as_dict(), "alerts": sorted(result.alerts)}


def http_sender(base_url: str) -> Sender:
    """POST the events as a real device does, with its code and secret."""
    url = base_url.rstrip("/") + INGEST_PATH

    def send(sim: SimDevice, events: list[dict[str, Any]]) -> dict[str, Any]:
        request = urllib.request.Request(  # noqa: S310 (the operator's own server URL)
            url,
            data=orjson.dumps(events),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Device {sim.device.code}:{sim.secret}",
            },
        )
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            body: dict[str, Any] = orjson.loads(response.read())
            return body

    return send


def simulator_devices() -> list[SimDevice]:
    """The demo devices, each with a fresh secret held only by this run."""
    return [
        SimDevice(device=device, secret=device_rotate_secret(actor=None, device=device))
        for device in demo_devices()
    ]


_PICTURE: list[str] = []


def _picture() -> str:
    """A small grey snapshot (base64 JPEG), made once."""
    if not _PICTURE:
        from PIL import Image

        out = io.BytesIO()
        Image.new("RGB", (64, 48), (90, 90, 90)).save(out, format="JPEG")
        _PICTURE.append(base64.b64encode(out.getvalue()).decode())
    return _PICTURE[0]


class Simulation:
    """Plans what each device says each second of the run."""

    def __init__(
        self, devices: list[SimDevice], *, rate: int, scenario: str, rng: random.Random
    ) -> None:
        self.devices, self.rate, self.scenario, self.rng = devices, rate, scenario, rng
        self.run_id = uuid.uuid4().hex[:10]
        self.counter = 0
        self.talkers = [
            d
            for d in devices
            if d.device.kind
            in (DeviceKind.ACCESS_GATE, DeviceKind.VEHICLE_BARRIER, DeviceKind.CAMERA)
        ]

    def _event(self, kind: str, **extra: Any) -> dict[str, Any]:
        self.counter += 1
        return {
            "event_id": f"sim-{self.run_id}-{self.counter}",
            "type": kind,
            "occurred_at": timezone.now().isoformat(),
            **extra,
        }

    def _first(self, kind: str, zone: str = "") -> SimDevice | None:
        return next(
            (
                d
                for d in self.devices
                if d.device.kind == kind and (not zone or d.device.zone == zone)
            ),
            None,
        ) or next((d for d in self.devices if d.device.kind == kind), None)

    def _background(self) -> tuple[SimDevice, dict[str, Any]] | None:
        if not self.talkers:
            return None
        sim = self.rng.choice(self.talkers)
        kind = sim.device.kind
        roll = self.rng.random()
        if kind == DeviceKind.ACCESS_GATE:
            if roll < 0.9:
                person = f"P-{self.rng.randint(1, 2400):05d}"
                event = self._event(
                    EventType.FACE_RECOGNISED,
                    subject=person,
                    confidence=round(self.rng.uniform(0.86, 0.99), 2),
                )
            else:
                event = self._event(EventType.FACE_UNKNOWN, confidence=0.4)
        elif kind == DeviceKind.VEHICLE_BARRIER:
            plate = f"苏D{self.rng.choice('ABCDEFG')}{self.rng.randint(10000, 99999)}"
            known = roll < 0.85
            event = self._event(
                EventType.PLATE_RECOGNISED if known else EventType.PLATE_UNKNOWN, subject=plate
            )
        else:
            kind_of = EventType.LINE_CROSSING if roll < 0.15 else EventType.REGION_EXIT
            event = self._event(kind_of, confidence=round(self.rng.uniform(0.6, 0.95), 2))
        return sim, event

    def _night_intrusion(self) -> list[tuple[SimDevice, dict[str, Any]]]:
        burst: list[tuple[SimDevice, dict[str, Any]]] = []
        wall = self._first(DeviceKind.PERIMETER, "东墙")
        if wall is not None:
            for step in range(3):
                burst.append(
                    (
                        wall,
                        self._event(
                            EventType.PERIMETER_INTRUSION,
                            zone=wall.device.zone,
                            severity="high",
                            attributes={"scenario": "night_intrusion", "step": step},
                        ),
                    )
                )
        camera = next(
            (
                d
                for d in self.devices
                if d.device.kind == DeviceKind.CAMERA
                and wall is not None
                and d.device.school_id == wall.device.school_id
            ),
            None,
        )
        if camera is not None:
            burst.append(
                (
                    camera,
                    self._event(
                        EventType.LOITERING,
                        confidence=0.91,
                        picture=_picture(),
                        attributes={"scenario": "night_intrusion"},
                    ),
                )
            )
        return burst

    def _panic(self) -> list[tuple[SimDevice, dict[str, Any]]]:
        button = self._first(DeviceKind.PANIC_BUTTON)
        if button is None:
            return []
        event = self._event(
            EventType.PANIC_BUTTON, subject=button.device.name, attributes={"scenario": "panic"}
        )
        return [(button, event)]

    def _specials(self, tick: int, ticks: int) -> list[tuple[SimDevice, dict[str, Any]]]:
        if self.scenario == "night_intrusion":
            return self._night_intrusion() if tick == min(1, ticks - 1) else []
        if self.scenario == "panic":
            return self._panic() if tick == min(1, ticks - 1) else []
        planned: list[tuple[SimDevice, dict[str, Any]]] = []
        if tick == min(max(1, ticks // 4), ticks - 1):
            planned += self._night_intrusion()
        if tick == min(max(2, ticks * 3 // 5), ticks - 1):
            planned += self._panic()
        return planned

    def tick(self, tick: int, ticks: int) -> dict[int, tuple[SimDevice, list[dict[str, Any]]]]:
        """What each device sends in second ``tick`` of ``ticks``."""
        batches: dict[int, tuple[SimDevice, list[dict[str, Any]]]] = {}

        def add(sim: SimDevice, event: dict[str, Any]) -> None:
            batches.setdefault(sim.device.pk, (sim, []))[1].append(event)

        for sim in self.devices:
            if tick >= sim.next_heartbeat:
                add(sim, self._event(EventType.HEARTBEAT))
                sim.next_heartbeat = tick + max(1, sim.device.heartbeat_seconds // 2)
        for _n in range(self.rate):
            planned = self._background()
            if planned is not None:
                add(*planned)
        for sim, event in self._specials(tick, ticks):
            add(sim, event)
        return batches


def simulate(
    *,
    devices: list[SimDevice],
    sender: Sender,
    rate: int = 5,
    duration: float = 60,
    scenario: str = "mixed",
    seed: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    log: Callable[[str], None] | None = None,
) -> SimReport:
    """Run for ``duration`` seconds, one round of events a second; the totals."""
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}")
    plan = Simulation(devices, rate=rate, scenario=scenario, rng=random.Random(seed))  # noqa: S311
    report = SimReport()
    since = timezone.now()
    ticks = max(1, math.ceil(duration))
    for tick in range(ticks):
        started = time.monotonic()
        for sim, events in plan.tick(tick, ticks).values():
            _send(sender, sim, events, report)
        if log is not None:
            log(f"t={tick + 1}s sent={report.sent} accepted={report.accepted}")
        if tick < ticks - 1:
            sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    # An HTTP answer names no alert (a device learns nothing of them): ask the registry
    # which of these devices' alerts the run opened or grew.
    report.alerts.update(
        Alert.objects.filter(
            device__in=[sim.device for sim in devices], updated_at__gte=since
        ).values_list("pk", flat=True)
    )
    return report


def _send(sender: Sender, sim: SimDevice, events: list[dict[str, Any]], report: SimReport) -> None:
    report.sent += len(events)
    for event in events:
        report.by_type[event["type"]] = report.by_type.get(event["type"], 0) + 1
    try:
        answer = sender(sim, events)
    except (urllib.error.URLError, OSError, ValueError) as error:
        report.failures += len(events)
        report.first_error = report.first_error or f"{sim.device.code}: {error}"
        return
    report.accepted += int(answer.get("accepted", 0))
    report.duplicates += int(answer.get("duplicates", 0))
    report.rejected += len(answer.get("rejected", []))
    report.alerts.update(answer.get("alerts", []))
