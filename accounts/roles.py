"""A user's role, in one place. Superusers are admins; no profile means viewer."""

from __future__ import annotations

from accounts.models import ROLE_RANK, Profile, Role


def role_of(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if user.is_superuser:
        return Role.ADMIN
    cached = getattr(user, "_sluice_role", None)
    if cached is None:
        profile = Profile.objects.filter(user=user).only("role").first()
        cached = profile.role if profile else Role.VIEWER
        user._sluice_role = cached
    return cached


def has_role(user, needed: str) -> bool:
    role = role_of(user)
    return bool(role) and ROLE_RANK[role] >= ROLE_RANK[needed]


def set_role(user, role: str) -> None:
    Profile.objects.update_or_create(user=user, defaults={"role": role})
    user._sluice_role = role
