"""The audit pages name the auditor role by value, since audit imports only core."""

from safecampus.audit.views import AUDITOR_ROLE
from safecampus.organizations.choices import Role


def test_the_audit_pages_admit_the_register_auditor_role():
    assert AUDITOR_ROLE == Role.AUDITOR
