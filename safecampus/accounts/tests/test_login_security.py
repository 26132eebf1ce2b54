"""Sign-in security: lockout, identical failures, idle timeout, second factor, passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import login
from safecampus.audit.models import AuditEvent
from safecampus.organizations.tests.factories import PASSWORD

LOGIN = "/accounts/login/"


def _post(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


@pytest.mark.django_db
def test_unknown_user_and_wrong_password_look_the_same(client, officer_a):
    unknown = _post(client, "nobody-here", "Wrong-password-1")
    wrong = _post(client, "officer_a", "Wrong-password-1")
    assert unknown.status_code == wrong.status_code == 200
    assert unknown.context["form"].errors == wrong.context["form"].errors
    assert AuditEvent.objects.filter(action="accounts.user.login_failed").count() == 2


@pytest.mark.django_db
def test_five_failures_lock_the_account_for_thirty_minutes(client, officer_a):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        _post(client, "officer_a", "Wrong-password-1")
    locked = _post(client, "officer_a", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="accounts.user.locked_out").count() >= 1
    # Another address (a different proxy hop) does not unlock it: the lock is per account.
    again = _post(
        client, "officer_a", PASSWORD, REMOTE_ADDR="10.9.8.7", HTTP_X_FORWARDED_FOR="1.2.3.4"
    )
    assert again.status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31)):
        assert _post(client, "officer_a", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_of_one_account_does_not_touch_another(client, officer_a, teacher_a):
    for _ in range(5):
        _post(client, "officer_a", "Wrong-password-1")
    assert _post(client, "teacher_a", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_idle_session_ends_after_thirty_minutes(client, teacher_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _post(client, "teacher_a", PASSWORD)
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get("/").status_code == 200
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_bureau_roles_must_pass_totp(client, safety_officer):
    response = _post(client, "safety_officer", PASSWORD)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 302 and home["Location"].startswith("/accounts/two-factor/")
    assert client.get("/api/v1/schools/").status_code == 403
    bad = client.post("/accounts/two-factor/", {"token": "000000", "next": "/"})
    assert bad.status_code == 400
    device = TOTPDevice.objects.get(user=safety_officer)
    # A failure throttles the device (1 s, then doubling), so the right code comes a little later.
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        good = client.post("/accounts/two-factor/", {"token": f"{code:06d}", "next": "/"})
        assert good.status_code == 302 and good["Location"] == "/"
        assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_first_totp_setup_shows_a_qr_code_and_confirms_the_device(client, district):
    from safecampus.organizations.choices import Role
    from safecampus.organizations.tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="new_inspector")
    MembershipFactory(user=user, unit=district.safety_section, role=Role.INSPECTOR)
    _post(client, "new_inspector", PASSWORD)
    page = client.get("/accounts/two-factor/")
    assert page.status_code == 200 and page.context["setup"] is True
    assert page.context["qr"].startswith("data:image/svg+xml")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    client.post("/accounts/two-factor/", {"token": f"{code:06d}"})
    device.refresh_from_db()
    assert device.confirmed is True


@pytest.mark.django_db
def test_school_roles_do_not_need_totp(client, teacher_a):
    _post(client, "teacher_a", PASSWORD)
    assert client.get("/").status_code == 200


def test_password_policy_refuses_weak_passwords():
    with pytest.raises(ValidationError):
        validate_password("short1")
    with pytest.raises(ValidationError):
        validate_password("alllowercaseletters")
    validate_password("Correct-Horse-Battery-9")


def test_passwords_are_hashed_with_argon2():
    from config import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_logout_needs_post(client, teacher_a):
    login(client, teacher_a)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/").status_code == 302


@pytest.mark.django_db
def test_password_change_applies_the_policy_and_is_audited(client, teacher_a):
    login(client, teacher_a)
    weak = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert weak.status_code == 200 and weak.context["form"].errors
    teacher_a.refresh_from_db()
    assert teacher_a.check_password(PASSWORD)
    good = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Safer-Campus-2027",
            "new_password2": "Safer-Campus-2027",
        },
    )
    assert good.status_code == 302
    teacher_a.refresh_from_db()
    assert teacher_a.check_password("Safer-Campus-2027")
    assert AuditEvent.objects.filter(action="accounts.user.password_changed").count() == 1


@pytest.mark.django_db
def test_second_factor_attempts_are_audited(client, safety_officer):
    _post(client, "safety_officer", PASSWORD)
    client.post("/accounts/two-factor/", {"token": "000000"})
    failed = AuditEvent.objects.get(action="accounts.user.second_factor_failed")
    assert (failed.actor_id, failed.result) == (safety_officer.pk, "failed")
