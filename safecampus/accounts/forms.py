"""Sign-in (with the lockout's message), API token and password-change forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from safecampus.accounts.lockout import sign_in_past_lock
from safecampus.core.forms import BootstrapFormMixin


class LoginForm(AuthenticationForm):
    """The same message for an unknown user and a wrong password, by design.

    While an account is locked, the page also asks for a code from the authenticator app:
    with the password and a current code its holder signs in anyway (``sign_in_past_lock``);
    anything less is answered like any attempt on a locked account.
    """

    otp_token = forms.CharField(
        label=_("Code from your authenticator app"),
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    error_messages = {
        "invalid_login": _("The user name or password is not correct."),
        "inactive": _("The user name or password is not correct."),
    }

    def __init__(self, request: HttpRequest | None = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.otp_device: TOTPDevice | None = None

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        token = "".join((self.cleaned_data.get("otp_token") or "").split())
        if token and username and password and self.request is not None:
            passed = sign_in_past_lock(
                request=self.request, username=username, password=password, token=token
            )
            if passed is not None:
                self.user_cache, self.otp_device = passed
                return self.cleaned_data
        return super().clean()


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from your authenticator app"),
        min_length=6,
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class PasswordChangeForm(BootstrapFormMixin, auth_forms.PasswordChangeForm):
    """Django's form (old password checked, policy validators applied) with the site's styling."""
