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


def create_user(username: str, email: str = "", password: str | None = None):
    """A Sluice user. `is_staff` only lets them use the sign-in page at
    `/admin/login/` (the UI's login); without model permissions the admin site
    shows them nothing."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username, email, password or None)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user
