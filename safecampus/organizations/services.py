"""Writes about the register: units' work plans (R-1.2) and the demo district's bulk seeding."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecampus.accounts.models import User
from safecampus.attachments.services import attachment_create
from safecampus.audit.services import audit_record
from safecampus.core.errors import ConflictError, DomainError, ForbiddenError
from safecampus.organizations import demo
from safecampus.organizations.cache import register_changed
from safecampus.organizations.choices import Role, UnitKind
from safecampus.organizations.models import (
    Designation,
    Membership,
    School,
    Unit,
    WorkPlan,
    WorkPlanVersion,
)

#: Roles that may file a unit's work plan: its own leaders and designated officers, or the bureau.
PLAN_AUTHORS = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER, Role.BUREAU_STAFF})
PLAN_AUTHORS_DISTRICT = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_LEADER})


class OrganizationError(DomainError):
    pass


class OrganizationForbidden(ForbiddenError, OrganizationError):
    pass


#: Who names, replaces and ends a unit's designated person (R-1.1): the bureau's safety office.
DESIGNATORS = frozenset({Role.BUREAU_SAFETY_OFFICER, Role.SYSTEM_ADMIN})


def _may_designate(actor: Any) -> None:
    if not actor.scope.has_role(*DESIGNATORS):
        raise OrganizationForbidden(_("Only the bureau's safety office names designated people."))


def _end_open(unit: Unit, actor: Any, note: str) -> Designation | None:
    """End the unit's open designation (locked), clearing its person's flag in the unit."""
    current = Designation.objects.select_for_update().filter(unit=unit, ended_at__isnull=True)
    ended = current.first()
    if ended is not None:
        ended.ended_at, ended.ended_by, ended.end_note = timezone.now(), actor, note[:200]
        ended.save(update_fields=["ended_at", "ended_by", "end_note"])
        Membership.objects.filter(unit=unit, user_id=ended.user_id).update(is_designated=False)
    return ended


def designation_name(*, actor: Any, unit: Unit, user: Any, note: str = "") -> Designation:
    """Name ``user`` (an active member of ``unit``) its designated person, ending whoever was
    named before; audited, with the history kept (R-1.1)."""
    _may_designate(actor)
    if not Membership.objects.active().filter(unit=unit, user=user).exists():
        raise OrganizationError(
            _("Only an active member of the unit can be its designated person.")
        )
    with transaction.atomic():
        current = (
            Designation.objects.select_for_update().filter(unit=unit, ended_at__isnull=True).first()
        )
        if current is not None and current.user_id == user.pk:
            raise ConflictError(_("This person is already the unit's designated person."))
        before = _end_open(unit, actor, note or str(_("Replaced")))
        designation = Designation.objects.create(
            unit=unit, user=user, started_at=timezone.now(), named_by=actor, note=note[:200]
        )
        Membership.objects.filter(unit=unit, user=user, is_active=True).update(is_designated=True)
        audit_record(
            actor=actor,
            action="organizations.designation.named",
            obj=unit,
            changes={"user": user.pk, "replaced": before.user_id if before else None},
        )
    register_changed()
    return designation


def designation_end(*, actor: Any, unit: Unit, note: str) -> Designation:
    """End the unit's designation without a successor (a reason is required): the unit then
    shows as having nobody designated, first on the bureau's list."""
    _may_designate(actor)
    if not note.strip():
        raise OrganizationError(_("Say why the designation ends."))
    with transaction.atomic():
        ended = _end_open(unit, actor, note.strip())
        if ended is None:
            raise ConflictError(_("The unit has no designated person to remove."))
        audit_record(
            actor=actor,
            action="organizations.designation.ended",
            obj=unit,
            changes={"user": ended.user_id, "note": ended.end_note},
        )
    register_changed()
    return ended


def work_plan_version_add(
    *, actor: Any, unit: Unit, year: int, title: str, document: IO[bytes], note: str = ""
) -> WorkPlanVersion:
    """File a new version of ``unit``'s plan for ``year``; earlier versions stay as they were."""
    scope = actor.scope
    if not (
        scope.has_role(*PLAN_AUTHORS, unit_id=unit.pk) or scope.has_role(*PLAN_AUTHORS_DISTRICT)
    ):
        raise OrganizationForbidden(_("You may not file a work plan for this unit."))
    with transaction.atomic():
        plan, _created = WorkPlan.objects.select_for_update().get_or_create(
            unit=unit, year=year, defaults={"title": title}
        )
        if plan.title != title and title:
            plan.title = title
            plan.save(update_fields=["title", "updated_at"])
        number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = WorkPlanVersion.objects.create(
            plan=plan, number=number, note=note, uploaded_by=actor
        )
        attachment_create(actor=actor, owner=version, uploaded_file=document, unit_id=unit.pk)
        audit_record(
            actor=actor,
            action="organizations.work_plan.version_added",
            obj=plan,
            changes={"year": year, "version": number, "note": note},
        )
    return version


# --- the demo district, in bulk: a thousand schools in seconds, the same every time ---


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
    for section_code, *_rest in demo.SECTIONS:
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
    for user in User.objects.filter(username__in=[login[0] for login in demo.DEMO_LOGINS]):
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
