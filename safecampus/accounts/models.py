"""People who sign in. Contact details are encrypted at rest."""

from __future__ import annotations

import hashlib
import secrets
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from safecampus.core.fields import BlindIndexField, EncryptedTextField
from safecampus.organizations.choices import SECOND_FACTOR_ROLES
from safecampus.organizations.scope import Scope, scope_for


class User(AbstractUser):
    """A person with a login (用户). Roles come from memberships, never from this row."""

    full_name = models.CharField(_("full name"), max_length=60, blank=True)
    phone = EncryptedTextField(_("mobile phone"), blank=True)
    phone_hash = BlindIndexField(source="phone")

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def scope(self) -> Scope:
        return scope_for(self)

    @property
    def roles(self) -> frozenset[str]:
        return self.scope.roles

    @property
    def needs_second_factor(self) -> bool:
        return bool(self.roles & SECOND_FACTOR_ROLES) or self.is_superuser

    @property
    def masked_phone(self) -> str:
        """138****1234: enough to recognise, not enough to call."""
        if len(self.phone) < 7:
            return "****" if self.phone else ""
        return f"{self.phone[:3]}****{self.phone[-4:]}"


class ApiToken(models.Model):
    """A token for ``Authorization: Token …``; only its SHA-256 is kept (it has 256 bits)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return "sc_" + secrets.token_urlsafe(32)
