"""`sluice user create USERNAME [--role viewer|editor|admin] [--password P]` and
`sluice user role USERNAME ROLE`. Without `--password`, one is read from
`SLUICE_PASSWORD` or the user gets no usable password (token-only)."""

from __future__ import annotations

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import audit
from accounts.models import Role
from accounts.roles import create_user, role_of, set_role


class Command(BaseCommand):
    help = "Create users and set their role."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a user")
        create.add_argument("username")
        create.add_argument("--role", choices=Role.values, default=Role.VIEWER)
        create.add_argument("--email", default="")
        create.add_argument("--password", help="default: $SLUICE_PASSWORD, else none (token-only)")
        role = sub.add_parser("role", help="change a user's role")
        role.add_argument("username")
        role.add_argument("role", choices=Role.values)
        sub.add_parser("list", help="list users and roles")

    def handle(self, *args, verb, **options):
        getattr(self, f"_{verb}")(**options)

    def _create(self, username: str, role: str, email: str, password: str | None, **_):
        users = get_user_model().objects
        if users.filter(username=username).exists():
            raise CommandError(f"user '{username}' exists")
        user = create_user(username, email, password or os.environ.get("SLUICE_PASSWORD") or None)
        set_role(user, role)
        audit.record("cli", "created", "user", username, role=role)
        self.stdout.write(f"created {username} ({role})")

    def _role(self, username: str, role: str, **_):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user named '{username}'")
        set_role(user, role)
        audit.record("cli", "changed", "user", username, role=role)
        self.stdout.write(f"{username} is now {role_of(user)}")

    def _list(self, **_):
        for user in get_user_model().objects.order_by("username"):
            self.stdout.write(
                f"{user.username}\t{role_of(user)}\t{'active' if user.is_active else 'inactive'}"
            )
