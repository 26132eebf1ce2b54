"""Builds the demo district in bulk: a thousand schools in seconds, the same district every time."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecampus.accounts.models import User
from safecampus.audit.services import audit_record
from safecampus.organizations import demo
from safecampus.organizations.cache import register_changed
from safecampus.organizations.choices import Role, UnitKind
from safecampus.organizations.models import Membership, School, Unit

_TITLES: dict[str, str] = {
    Role.PRINCIPAL: "校长",
    Role.SCHOOL_OFFICER: "安全办主任",
    Role.BUREAU_STAFF: "科长",
}


@dataclass(frozen=True)
class SeedResult:
    units_created: int
    users_created: int


def _missing(codes: list[str]) -> set[str]:
    return set(codes) - set(Unit.objects.filter(code__in=codes).values_list("code", flat=True))


def _seed_units(schools: list[demo.DemoSchool]) -> int:
    code, name, short = demo.BUREAU
    bureau, made = Unit.objects.get_or_create(
        code=code,
        defaults={
            "name": name,
            "short_name": short,
            "kind": UnitKind.BUREAU,
            "address": "常州市新北区锦绣路2号",
            "latitude": 31.8109,
            "longitude": 119.9741,
        },
    )
    created = int(made)
    rows = [
        Unit(code=c, name=n, kind=k, parent=bureau, is_safety_section=safe)
        for c, n, k, safe in demo.SECTIONS
        if c in _missing([s[0] for s in demo.SECTIONS])
    ]
    rows += [
        Unit(code=c, name=n, kind=UnitKind.AGENCY, agency_kind=a)
        for c, n, a in demo.AGENCIES
        if c in _missing([a[0] for a in demo.AGENCIES])
    ]
    stations = {t[3]: t for t in demo.TOWNS}
    missing_stations = _missing(list(stations))
    Unit.objects.bulk_create(rows)
    branch = Unit.objects.get(code="GA-FJ")
    Unit.objects.bulk_create(
        Unit(
            code=c,
            name=f"{t[0]}派出所",
            kind=UnitKind.POLICE_STATION,
            agency_kind="police",
            parent=branch,
            latitude=t[1],
            longitude=t[2],
        )
        for c, t in stations.items()
        if c in missing_stations
    )
    new_schools = _missing([s.code for s in schools])
    Unit.objects.bulk_create(
        Unit(
            code=s.code,
            name=s.name,
            kind=UnitKind.SCHOOL,
            parent=bureau,
            address=s.address,
            latitude=s.latitude,
            longitude=s.longitude,
            office_phone=f"0519-8{s.code[-3:]:0>3}{len(s.name):04d}",
        )
        for s in schools
        if s.code in new_schools
    )
    units = dict(
        Unit.objects.filter(
            kind__in=[UnitKind.SCHOOL, UnitKind.POLICE_STATION, UnitKind.SECTION]
        ).values_list("code", "pk")
    )
    School.objects.bulk_create(
        School(
            unit_id=units[s.code],
            school_kind=s.kind,
            boarding=s.boarding,
            students=s.students,
            staff=s.staff,
            police_station_id=units[s.police_code],
            supervising_section_id=units["JY-JJK"],
        )
        for s in schools
        if s.code in new_schools
    )
    return created + len(rows) + len(missing_stations) + len(new_schools)


def _seed_people(schools: list[demo.DemoSchool], rng: random.Random) -> int:
    # Argon2 is slow on purpose; every demo account shares one hash of the demo password.
    password = make_password(demo.DEMO_PASSWORD)
    units = dict(Unit.objects.values_list("code", "pk"))
    existing = set(User.objects.values_list("username", flat=True))
    users: list[User] = []
    memberships: list[tuple[str, str, str, bool]] = []

    def add(
        username: str, role: str, unit_code: str, full_name: str, designated: bool = False
    ) -> None:
        memberships.append((username, role, unit_code, designated or role == Role.SCHOOL_OFFICER))
        if username not in existing:
            existing.add(username)
            users.append(
                User(
                    username=username,
                    full_name=full_name,
                    password=password,
                    phone=demo.phone(rng),
                    email=f"{username}@example.edu.cn",
                )
            )

    for username, role, unit_code in demo.DEMO_LOGINS:
        add(username, role, unit_code, demo.person_name(rng))
    for section_code, *_ in demo.SECTIONS:
        # One institution has not named its person yet, so the page has something to flag.
        designated = section_code != "JY-ZZ"
        add(
            f"head.{section_code.lower()}",
            Role.BUREAU_STAFF,
            section_code,
            demo.person_name(rng),
            designated,
        )
    for index, school in enumerate(schools):
        if school.code == "XB-001":  # the demo principal and officer logins stand there
            continue
        add(f"principal.{school.code.lower()}", Role.PRINCIPAL, school.code, demo.person_name(rng))
        # Every ninth school has not named its designated officer yet: wants that visible.
        if index % 9 != 4:
            add(
                f"officer.{school.code.lower()}",
                Role.SCHOOL_OFFICER,
                school.code,
                demo.person_name(rng),
            )
    User.objects.bulk_create(users, batch_size=500)
    ids = dict(User.objects.values_list("username", "pk"))
    Membership.objects.bulk_create(
        [
            Membership(
                user_id=ids[u], unit_id=units[c], role=r, is_designated=d, title=_TITLES.get(r, "")
            )
            for u, r, c, d in memberships
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    # The issue allows a demo seed to mark second-factor devices as confirmed.
    for user in User.objects.filter(username__in=[u for u, _, _ in demo.DEMO_LOGINS]):
        if user.needs_second_factor:
            TOTPDevice.objects.get_or_create(
                user=user, defaults={"name": "demo", "confirmed": True}
            )
    return len(users)


def demo_district_seed(*, schools: int = 60, seed: int = 20261128) -> SeedResult:
    """Create what is missing of the demo district; running it again changes nothing."""
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    plan = demo.schools(schools, rng)
    with transaction.atomic():
        units = _seed_units(plan)
        users = _seed_people(plan, rng)
        if units or users:
            transaction.on_commit(register_changed)  # bulk_create sends no signals
        if units or users:
            audit_record(
                actor=None,
                action="organizations.district.seeded",
                changes={"units": units, "users": users},
            )
    return SeedResult(units, users)
