"""The one permission layer. Every API view uses `RolePermission` (it is the
global default in `REST_FRAMEWORK`).

Rules: anonymous callers are refused everywhere. A view may state the role each
action needs in `required_roles = {"<action or METHOD>": Role.X}` and a fallback
`default_write_role`; otherwise reads need viewer and writes need editor.
Admin-only areas (users, other people's tokens, connections, app settings, keys,
audit log) set `required_roles` accordingly.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from accounts.models import Role
from accounts.roles import has_role


def required_role(request, view) -> str:
    table = getattr(view, "required_roles", {}) or {}
    action = getattr(view, "action", None)
    if action and action in table:
        return table[action]
    if request.method in table:
        return table[request.method]
    if request.method in SAFE_METHODS:
        return table.get("read", Role.VIEWER)
    return table.get("write", Role.EDITOR)


class RolePermission(BasePermission):
    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return has_role(user, required_role(request, view))
