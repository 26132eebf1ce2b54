"""Sign-in, sign-out and the TOTP second factor."""

from __future__ import annotations

import base64
from math import ceil
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecampus.accounts.forms import LoginForm, PasswordChangeForm, TokenForm
from safecampus.accounts.services import totp_device_confirm, totp_device_start
from safecampus.accounts.totp import totp_just_used
from safecampus.audit.models import AuditResult
from safecampus.audit.services import audit_record
from safecampus.core.access import Access, AccessMixin
from safecampus.core.http import AuthedRequest


class LoginView(auth_views.LoginView):
    access = Access.public()
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        response = super().form_valid(form)
        if form.otp_device is not None:  # signed in past a lock with password and code
            otp_login(self.request, form.otp_device)
            audit_record(
                actor=form.get_user(),
                action="accounts.user.lockout_passed",
                obj=form.get_user(),
                request=self.request,
            )
        return response


class LogoutView(auth_views.LogoutView):
    access = Access.public()


class PasswordChangeView(AccessMixin, auth_views.PasswordChangeView):
    """Change one's own password against the policy; other sessions of the account end."""

    access = Access.authenticated()
    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    success_url = "/"

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user  # the signed-in person whose password the form set
        audit_record(
            actor=user, action="accounts.user.password_changed", obj=user, request=self.request
        )
        messages.success(self.request, _("Your password was changed."))
        return response


def lockout_response(
    request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any
) -> HttpResponse:
    """Shown while an account is locked; says nothing about whether the account exists."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = str((credentials or {}).get("username") or "")[:150]
    form = LoginForm(request, initial={"username": username})
    message = _(
        "Too many failed attempts. Sign-in for this account is paused for %(minutes)d minutes."
    ) % {"minutes": minutes}
    return render(
        request, "accounts/login.html", {"form": form, "lockout_message": message}, status=429
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


class TwoFactorView(AccessMixin, View):
    """Set up (first time) or verify a TOTP code; bureau, partner and admin roles must pass it."""

    access = Access.authenticated()
    template_name = "accounts/two_factor.html"

    def get(self, request: AuthedRequest) -> HttpResponse:
        return self._render(request, TokenForm())

    def post(self, request: AuthedRequest) -> HttpResponse:
        form = TokenForm(request.POST)
        device = self._confirmed_device(request) or self._pending_device(request)
        token = form.cleaned_data["token"].strip() if form.is_valid() else ""
        allowed, throttled = device.verify_is_allowed() if device else (False, None)
        if token and device is not None and allowed and device.verify_token(token):
            if not device.confirmed:
                totp_device_confirm(actor=request.user, device=device)
            otp_login(request, device)
            # A new session id once fully signed in, as the password step gives one: an id
            # seen before the second factor (on a shared screen, in a log) is worth nothing.
            request.session.cycle_key()
            audit_record(
                actor=request.user,
                action="accounts.user.second_factor_verified",
                obj=request.user,
                request=request,
            )
            return HttpResponseRedirect(_safe_next(request))
        audit_record(
            actor=request.user,
            action="accounts.user.second_factor_failed",
            obj=request.user,
            request=request,
            result=AuditResult.FAILED,
        )
        form.add_error("token", _token_refusal(device, token, throttled))
        return self._render(request, form, status=400)

    def _render(self, request: AuthedRequest, form: TokenForm, status: int = 200) -> HttpResponse:
        device = self._confirmed_device(request)
        context: dict[str, Any] = {
            "form": form,
            "next": _safe_next(request),
            "setup": device is None,
        }
        if device is None:
            pending = self._pending_device(request) or totp_device_start(actor=request.user)
            context.update(_setup_context(pending))
        return render(request, self.template_name, context, status=status)

    @staticmethod
    def _confirmed_device(request: AuthedRequest) -> TOTPDevice | None:
        return TOTPDevice.objects.filter(user=request.user, confirmed=True).first()

    @staticmethod
    def _pending_device(request: AuthedRequest) -> TOTPDevice | None:
        return TOTPDevice.objects.filter(user=request.user, confirmed=False).first()


def _token_refusal(device: TOTPDevice | None, token: str, throttled: Any) -> str:
    """Why a code was refused, in words that say what to do next."""
    if throttled and throttled.get("locked_until"):
        wait = max(1, ceil((throttled["locked_until"] - timezone.now()).total_seconds()))
        return ngettext(
            "Too many wrong codes. Wait %(seconds)d second, then try again.",
            "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
            wait,
        ) % {"seconds": wait}
    if device is not None and token and totp_just_used(device, token):
        return _(
            "That code was just used. Each code counts once: wait for the next code in your "
            "app (about 30 seconds) and enter that one."
        )
    return _("That code is not valid. Check your device's clock and try again.")


def _setup_context(device: TOTPDevice) -> dict[str, Any]:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    qr = segno.make(device.config_url, error="m")
    return {
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "qr": qr.svg_data_uri(scale=4),
    }
