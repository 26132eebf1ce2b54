"""Sign-in security: lockout, identical failures, idle timeout, second factor, passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.test import Client
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


# --- the second factor: session id, a code used twice -----------------------------------------


def _code(device: TOTPDevice, at=None) -> str:
    moment = (at or timezone.now()).timestamp()
    with time_machine.travel(moment, tick=False):
        return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.django_db
def test_passing_the_second_factor_gives_a_new_session_id(client, safety_officer):
    _post(client, "safety_officer", PASSWORD)
    after_password = client.session.session_key
    device = TOTPDevice.objects.get(user=safety_officer)
    response = client.post("/accounts/two-factor/", {"token": _code(device), "next": "/"})
    assert response.status_code == 302
    after_code = client.session.session_key
    assert after_code != after_password
    assert not SessionStore().exists(after_password)  # the old id opens nothing any more
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_a_code_used_twice_is_refused_as_just_used_not_as_a_clock_problem(client, safety_officer):
    client.cookies["django_language"] = "en"
    device = TOTPDevice.objects.get(user=safety_officer)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _post(client, "safety_officer", PASSWORD)
        code = _code(device)
        assert client.post("/accounts/two-factor/", {"token": code}).status_code == 302
        client.post("/accounts/logout/")
        _post(client, "safety_officer", PASSWORD)
    with time_machine.travel(start + timedelta(seconds=3), tick=False):
        again = client.post("/accounts/two-factor/", {"token": code})
    assert again.status_code == 400
    assert again.context["form"].errors["token"] == [
        "That code was just used. Each code counts once: wait for the next code in your app "
        "(about 30 seconds) and enter that one."
    ]
    # A failure throttles the device for a second; after that, the next code passes.
    with time_machine.travel(start + timedelta(seconds=31), tick=False):
        wrong = client.post("/accounts/two-factor/", {"token": "000000"})
        assert wrong.context["form"].errors["token"] == [
            "That code is not valid. Check your device's clock and try again."
        ]
    with time_machine.travel(start + timedelta(seconds=32), tick=False):
        throttled = client.post("/accounts/two-factor/", {"token": _code(device)})
        assert throttled.context["form"].errors["token"] == [
            "Too many wrong codes. Wait 1 second, then try again."
        ]
    with time_machine.travel(start + timedelta(seconds=35), tick=False):
        assert client.post("/accounts/two-factor/", {"token": _code(device)}).status_code == 302


# --- the lockout: a stranger's failures do not stop the holder of the second factor -----------


def _lock(username: str) -> None:
    """Five wrong passwords from an attacker's own browser and address."""
    attacker = Client(REMOTE_ADDR="203.0.113.66", HTTP_USER_AGENT="attacker")
    for _ in range(5):
        _post(attacker, username, "Wrong-password-1")
    assert _post(attacker, username, PASSWORD).status_code == 429


@pytest.mark.django_db
def test_a_user_with_totp_signs_in_past_an_attackers_lock(client, safety_officer):
    _lock("safety_officer")
    locked = _post(client, "safety_officer", PASSWORD)
    assert locked.status_code == 429
    assert "otp_token" in locked.content.decode()  # the locked page asks for the code
    assert locked.context["form"]["username"].value() == "safety_officer"
    device = TOTPDevice.objects.get(user=safety_officer)
    response = client.post(
        LOGIN, {"username": "safety_officer", "password": PASSWORD, "otp_token": _code(device)}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200  # signed in with the second factor verified
    assert AuditEvent.objects.filter(
        action="accounts.user.lockout_passed", actor_id=safety_officer.pk
    ).exists()
    # The lock stays for everyone else: the password alone still does not open the account.
    assert _post(Client(), "safety_officer", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_past_the_lock_a_wrong_code_or_password_is_the_same_locked_answer(client, safety_officer):
    _lock("safety_officer")
    device = TOTPDevice.objects.get(user=safety_officer)
    tries = {
        "wrong code": (PASSWORD, "123456" if _code(device) != "123456" else "654321"),
        "wrong password": ("Wrong-password-2", _code(device)),
        "no code": (PASSWORD, ""),
    }
    answers = {}
    for name, (password, code) in tries.items():
        response = client.post(
            LOGIN, {"username": "safety_officer", "password": password, "otp_token": code}
        )
        answers[name] = (response.status_code, response.context.get("lockout_message"))
        assert "_auth_user_id" not in client.session
    assert len(set(answers.values())) == 1 and answers["no code"][0] == 429
    device.refresh_from_db()
    # a stranger's tries never throttle the real person's authenticator, nor spend its code
    assert (device.throttling_failure_count, device.last_t) == (0, -1)


@pytest.mark.django_db
def test_a_school_role_without_a_second_factor_stays_locked(client, officer_a):
    _lock("officer_a")
    response = client.post(
        LOGIN, {"username": "officer_a", "password": PASSWORD, "otp_token": "123456"}
    )
    assert response.status_code == 429 and "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_code_on_an_unlocked_account_changes_nothing(client, safety_officer):
    device = TOTPDevice.objects.get(user=safety_officer)
    response = client.post(
        LOGIN, {"username": "safety_officer", "password": PASSWORD, "otp_token": _code(device)}
    )
    assert response.status_code == 302
    assert client.get("/")["Location"].startswith("/accounts/two-factor/")


# --- the live stream waits for a full sign-in ---------------------------------------------------


@pytest.mark.django_db
def test_only_fully_signed_in_pages_open_the_live_stream(client, settings, safety_officer):
    settings.STREAM_URL = "http://127.0.0.1:8001/stream/events"
    marker = 'data-stream-url="http://127.0.0.1:8001/stream/events"'
    assert marker not in client.get(LOGIN).content.decode()
    portal = client.get("/report/")
    assert portal.status_code == 200 and marker not in portal.content.decode()
    _post(client, "safety_officer", PASSWORD)
    two_factor = client.get("/accounts/two-factor/")
    assert two_factor.status_code == 200 and "data-stream-url" not in two_factor.content.decode()
    assert two_factor.context["stream_url"] == ""  # whatever page such a session is shown
    device = TOTPDevice.objects.get(user=safety_officer)
    client.post("/accounts/two-factor/", {"token": _code(device)})
    assert marker in client.get("/").content.decode()
    # the public portal stays without it for a signed-in visitor too
    assert "data-stream-url" not in client.get("/report/").content.decode()
