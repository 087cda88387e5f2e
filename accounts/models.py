"""Accounts: who may do what, how scripts authenticate, secrets, and the audit log.

- `Profile.role` is one of viewer / editor / admin. Superusers are always admin, a
  user without a profile is a viewer (the least privilege that still lets them log in).
- `AccessToken` stores only the SHA-256 digest of a personal access token; the
  token itself is shown once, at creation. Tokens expire and can be revoked.
- `Connection` and `AppSetting` hold secrets encrypted with Fernet
  (`accounts.crypto`); the API never returns them in clear.
- `AuditEntry` is append-only: who created / changed / enabled / ran / cancelled /
  resubmitted what.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ADMIN: 3}


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sluice_profile"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class AccessToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12)  # first characters, to recognise a token in lists
    digest = models.CharField(max_length=64, unique=True)  # sha256 hex of the whole token
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()


class Connection(models.Model):
    """A named connection (`@parameters('$connections')['name']`): a type and its
    parameters, encrypted at rest as one Fernet token of the parameters' JSON."""

    name = models.SlugField(max_length=80, unique=True)
    type = models.CharField(max_length=64)
    display_name = models.CharField(max_length=200, blank=True, default="")
    encrypted_parameters = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AppSetting(models.Model):
    """An app setting (`@appsetting('NAME')`), encrypted at rest; every value is a secret."""

    name = models.CharField(max_length=200, unique=True)
    encrypted_value = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True, default="")
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64)
    target = models.CharField(max_length=200)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.target_type}:{self.target}"
