"""Unit kinds, school kinds, agency kinds and roles, with the groups that scope reads."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    BUREAU = "bureau", _("Education bureau")
    SECTION = "section", _("Bureau section")
    INSTITUTION = "institution", _("Public institution")
    SCHOOL = "school", _("School")
    AGENCY = "agency", _("Partner agency")
    POLICE_STATION = "police_station", _("Police station")


class SchoolKind(models.TextChoices):
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    JUNIOR = "junior", _("Junior secondary school")
    SENIOR = "senior", _("Senior secondary school")
    VOCATIONAL = "vocational", _("Vocational school")
    SPECIAL = "special", _("Special education school")


class AgencyKind(models.TextChoices):
    POLITICAL_LEGAL = "political_legal", _("Political-legal committee")
    POLICE = "police", _("Public security")
    PROCURATORATE = "procuratorate", _("Procuratorate")
    COURT = "court", _("Court")
    JUSTICE = "justice", _("Justice bureau")
    MARKET = "market", _("Market regulation")
    CULTURE_TOURISM = "culture_tourism", _("Culture, sports, radio, TV and tourism")


class Role(models.TextChoices):
    BUREAU_LEADER = "bureau_leader", _("Bureau leader")
    BUREAU_SAFETY_OFFICER = "bureau_safety_officer", _("Bureau safety officer")
    BUREAU_STAFF = "bureau_staff", _("Bureau section staff")
    INSPECTOR = "inspector", _("Inspector")
    PRINCIPAL = "principal", _("School principal")
    SCHOOL_OFFICER = "school_officer", _("School designated officer")
    TEACHER = "teacher", _("Teacher")
    GUARD = "guard", _("Guard")
    PARTNER_LIAISON = "partner_liaison", _("Partner agency liaison")
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    SECURITY_ADMIN = "security_admin", _("Security administrator")
    AUDITOR = "auditor", _("Auditor")


#: Roles held in the bureau, its sections or institutions: they see the whole district.
BUREAU_ROLES = frozenset(
    {Role.BUREAU_LEADER, Role.BUREAU_SAFETY_OFFICER, Role.BUREAU_STAFF, Role.INSPECTOR}
)
#: Roles held in a school: they see their own school.
SCHOOL_ROLES = frozenset({Role.PRINCIPAL, Role.SCHOOL_OFFICER, Role.TEACHER, Role.GUARD})
PARTNER_ROLES = frozenset({Role.PARTNER_LIAISON})
#: 三员分立 (等保 level 3): system, security and audit administration are kept apart.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
#: Roles that must pass a TOTP second factor before seeing anything.
SECOND_FACTOR_ROLES = BUREAU_ROLES | PARTNER_ROLES | ADMIN_ROLES
#: The unit kinds each role may be held in; a membership elsewhere is refused.
ROLE_UNIT_KINDS: dict[str, frozenset[str]] = {
    **{
        r: frozenset({UnitKind.BUREAU, UnitKind.SECTION, UnitKind.INSTITUTION})
        for r in BUREAU_ROLES
    },
    **{r: frozenset({UnitKind.SCHOOL}) for r in SCHOOL_ROLES},
    Role.PARTNER_LIAISON: frozenset({UnitKind.AGENCY, UnitKind.POLICE_STATION}),
    **{r: frozenset({UnitKind.BUREAU}) for r in ADMIN_ROLES},
}
