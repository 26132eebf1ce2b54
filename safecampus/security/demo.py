"""Demo devices for the demo district: a gate camera, perimeter zones, an access gate, a
vehicle barrier and a one-key alarm for each of the first schools, registered through the
real service (audit rows included).

Their secrets are printed nowhere and kept nowhere: ``simulate_devices`` gives the demo
devices fresh secrets when it starts (through ``device_rotate_secret``) and holds them in
memory only. A secret derived from ``SECRET_KEY`` would be recomputable by anyone holding
the key and would need a way around the service that makes secrets; rotating needs none.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from safecampus.organizations.choices import UnitKind
from safecampus.organizations.models import Unit
from safecampus.security.choices import DeviceKind
from safecampus.security.models import Device
from safecampus.security.services.devices import device_register

#: What marks a demo device: the simulator only ever rotates and speaks for these.
DEMO_VENDOR = "SafeCampus demo"
DEMO_SCHOOLS = 12

#: (code suffix, kind, name, zone, heartbeat seconds, offset north, offset east in degrees)
DEMO_DEVICES: tuple[tuple[str, str, str, str, int, float, float], ...] = (
    ("CAM1", DeviceKind.CAMERA, "校门枪机", "校门", 60, -0.0006, 0.0),
    ("PZ1", DeviceKind.PERIMETER, "东墙周界防区", "东墙", 60, 0.0, 0.0009),
    ("PZ2", DeviceKind.PERIMETER, "北墙周界防区", "北墙", 60, 0.0007, 0.0),
    ("GATE1", DeviceKind.ACCESS_GATE, "校门人脸门禁", "校门", 60, -0.0005, 0.0002),
    ("BAR1", DeviceKind.VEHICLE_BARRIER, "车辆道闸", "车行入口", 60, -0.0005, -0.0004),
    ("SOS1", DeviceKind.PANIC_BUTTON, "门卫室一键报警", "门卫室", 30, -0.0006, 0.0003),
)


def demo_schools(limit: int = DEMO_SCHOOLS) -> QuerySet[Unit]:
    return Unit.objects.filter(kind=UnitKind.SCHOOL, is_active=True).order_by("code")[:limit]


def demo_devices() -> QuerySet[Device]:
    """The demo devices that may speak (enabled, generic JSON)."""
    return (
        Device.objects.filter(vendor=DEMO_VENDOR, enabled=True, protocol="generic")
        .select_related("school")
        .order_by("school__code", "code")
    )


def _near(value: Decimal | float | None, offset: float) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(str(value)) + Decimal(str(offset))).quantize(Decimal("0.000001"))


def demo_devices_seed(*, schools: list[Unit] | None = None) -> int:
    """Register the demo devices of the first schools once; how many were registered
    (none when demo devices exist already)."""
    if Device.objects.filter(vendor=DEMO_VENDOR).exists():
        return 0
    created = 0
    for school in schools if schools is not None else list(demo_schools()):
        for suffix, kind, name, zone, heartbeat, north, east in DEMO_DEVICES:
            device_register(
                actor=None,
                school=school,
                kind=kind,
                name=name,
                zone=zone,
                vendor=DEMO_VENDOR,
                heartbeat_seconds=heartbeat,
                latitude=_near(school.latitude, north),
                longitude=_near(school.longitude, east),
                code=f"{school.code}-{suffix}",
            )
            created += 1
    return created
