"""Units (bureau, sections, institutions, schools, partner agencies), schools and memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from safecampus.core.location import location_fields
from safecampus.core.models import TimeStampedModel
from safecampus.organizations.choices import AgencyKind, Role, SchoolKind, UnitKind

if TYPE_CHECKING:
    from safecampus.accounts.models import User

code_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$", _("Use capital letters, digits and dashes, e.g. XB-001.")
)


class UnitQuerySet(models.QuerySet["Unit"]):
    def visible_to(self, user: User | Any) -> UnitQuerySet:
        """Bureau and admin roles see every unit; others see the units they belong to."""
        scope = getattr(user, "scope", None)
        if scope is None:
            return self.none()
        if scope.district_wide or scope.is_admin:
            return self.all()
        return self.filter(pk__in=scope.unit_ids)

    def schools(self) -> UnitQuerySet:
        return self.filter(kind=UnitKind.SCHOOL)


class Unit(TimeStampedModel):
    """A unit (单位): the bureau, a section (科室), an institution, a school, an agency."""

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=120)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices, db_index=True)
    agency_kind = models.CharField(
        _("agency kind"), max_length=20, choices=AgencyKind.choices, blank=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_safety_section = models.BooleanField(
        _("safety section"),
        default=False,
        help_text=_("The section that receives every lead and incident."),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    office_phone = models.CharField(_("office phone"), max_length=40, blank=True)
    latitude, longitude = location_fields()
    is_active = models.BooleanField(_("active"), default=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(
                fields=["is_safety_section"],
                condition=Q(is_safety_section=True),
                name="one_safety_section",
            ),
            models.CheckConstraint(
                condition=Q(agency_kind="")
                | Q(kind__in=[UnitKind.AGENCY, UnitKind.POLICE_STATION]),
                name="agency_kind_only_for_agencies",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class SchoolQuerySet(models.QuerySet["School"]):
    def visible_to(self, user: User | Any) -> SchoolQuerySet:
        """Bureau roles see every school; school roles their own; partners and auditors none."""
        scope = getattr(user, "scope", None)
        if scope is None:
            return self.none()
        if scope.district_wide:
            return self.all()
        return self.filter(unit_id__in=scope.school_unit_ids)


class School(models.Model):
    """A school (学校), kindergarten included: the unit's school-specific facts."""

    unit = models.OneToOneField(
        Unit,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="school",
        limit_choices_to={"kind": UnitKind.SCHOOL},
    )
    school_kind = models.CharField(_("school kind"), max_length=20, choices=SchoolKind.choices)
    boarding = models.BooleanField(_("boarding"), default=False)
    students = models.PositiveIntegerField(_("students"), default=0)
    staff = models.PositiveIntegerField(_("staff"), default=0)
    police_station = models.ForeignKey(
        Unit,
        verbose_name=_("police station of the area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schools_policed",
        limit_choices_to={"kind": UnitKind.POLICE_STATION},
    )
    supervising_section = models.ForeignKey(
        Unit,
        verbose_name=_("supervising section"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schools_supervised",
        limit_choices_to={"kind__in": [UnitKind.SECTION, UnitKind.INSTITUTION]},
    )

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["unit__code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self) -> str:
        return str(self.unit)


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> MembershipQuerySet:
        return self.filter(is_active=True, user__is_active=True)

    def visible_to(self, user: User | Any) -> MembershipQuerySet:
        scope = getattr(user, "scope", None)
        if scope is None:
            return self.none()
        if scope.district_wide or scope.is_admin:
            return self.all()
        return self.filter(unit_id__in=scope.school_unit_ids)


class Membership(TimeStampedModel):
    """A person's role in a unit (任职). A person may hold several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    title = models.CharField(_("title"), max_length=60, blank=True)
    is_designated = models.BooleanField(
        _("designated for safety work"),
        default=False,
        help_text=_("Named by the unit as the person in charge of this work."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership"),
        ]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit.code}"


class Designation(models.Model):
    """Who was the designated person (专人) of a unit, and when (R-1.1): the history behind
    ``Membership.is_designated``. At most one is open per unit; naming another ends it."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="designations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("designated at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    end_note = models.CharField(_("reason for ending"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("designation")
        verbose_name_plural = _("designations")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(ended_at__isnull=True), name="one_open_designation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} · {self.user}"


class WorkPlanQuerySet(models.QuerySet["WorkPlan"]):
    def visible_to(self, user: User | Any) -> WorkPlanQuerySet:
        """The bureau sees every unit's plan; a school or section sees its own."""
        scope = getattr(user, "scope", None)
        if scope is None:
            return self.none()
        if scope.district_wide:
            return self.all()
        return self.filter(unit_id__in=scope.school_unit_ids)


class WorkPlan(TimeStampedModel):
    """A unit's yearly work plan (工作方案) for this mechanism, as versioned documents (R-1.2)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="work_plans")
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    title = models.CharField(_("title"), max_length=120)

    objects = WorkPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "unit__code"]
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="one_plan_per_unit_year")
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year} {self.title}"


class WorkPlanVersionQuerySet(models.QuerySet["WorkPlanVersion"]):
    def visible_to(self, user: User | Any) -> WorkPlanVersionQuerySet:
        return self.filter(plan__in=WorkPlan.objects.visible_to(user))


class WorkPlanVersion(models.Model):
    """One uploaded version of a work plan; earlier versions are kept, never replaced."""

    plan = models.ForeignKey(WorkPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    note = models.CharField(_("what changed"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    objects = WorkPlanVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("work plan version")
        verbose_name_plural = _("work plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_plan_version")
        ]

    def __str__(self) -> str:
        return f"{self.plan} v{self.number}"

    @property
    def unit_id(self) -> int:
        return self.plan.unit_id
