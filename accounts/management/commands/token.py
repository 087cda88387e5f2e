"""`sluice token create|list|revoke`: personal access tokens from the command line.

`create` prints only the token on stdout (so `TOKEN=$(sluice token create ci)`
works); everything else goes to stderr.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import audit, tokens
from accounts.models import AccessToken


class Command(BaseCommand):
    help = "Create, list or revoke personal access tokens."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a token and print it (once)")
        create.add_argument("name")
        create.add_argument("--user", help="owner (default: the only superuser)")
        create.add_argument("--days", type=int, default=90, help="expiry in days; 0 = never")
        listing = sub.add_parser("list", help="list tokens (never the tokens themselves)")
        listing.add_argument("--user")
        revoke = sub.add_parser("revoke", help="revoke a token by id or prefix")
        revoke.add_argument("token", help="token id, prefix (slk_abc123) or the token itself")

    def handle(self, *args, verb, **options):
        getattr(self, f"_{verb}")(**options)

    def _user(self, username: str | None):
        users = get_user_model().objects
        if username:
            user = users.filter(username=username).first()
            if user is None:
                raise CommandError(f"no user named '{username}'")
            return user
        admins = list(users.filter(is_superuser=True, is_active=True)[:2])
        if len(admins) != 1:
            raise CommandError("name the owner with --user")
        return admins[0]

    def _create(self, name: str, user: str | None, days: int, **_):
        if days < 0:
            raise CommandError("--days must be >= 0")
        owner = self._user(user)
        expires = timezone.now() + timedelta(days=days) if days else None
        record, token = tokens.issue(owner, name, expires)
        audit.record("cli", "created", "token", record.prefix, owner=owner.username, name=name)
        self.stderr.write(f"token '{name}' for {owner.username}, expires {expires or 'never'}")
        self.stdout.write(token)

    def _list(self, user: str | None, **_):
        queryset = AccessToken.objects.select_related("user")
        if user:
            queryset = queryset.filter(user=self._user(user))
        for t in queryset:
            state = "active" if t.is_active else ("revoked" if t.revoked_at else "expired")
            self.stdout.write(
                f"{t.id}\t{t.prefix}…\t{t.user.username}\t{t.name}\t{state}\t{t.expires_at or 'never'}"
            )

    def _revoke(self, token: str, **_):
        record = self._find(token)
        tokens.revoke(record)
        audit.record("cli", "revoked", "token", record.prefix, owner=record.user.username)
        self.stdout.write(f"revoked {record.prefix}… ({record.name})")

    def _find(self, value: str) -> AccessToken:
        queryset = AccessToken.objects.select_related("user")
        if value.isdigit():
            found = list(queryset.filter(pk=int(value)))
        elif value.startswith(tokens.PREFIX) and len(value) > 20:
            found = list(queryset.filter(digest=tokens.digest(value)))
        else:
            found = list(queryset.filter(prefix__startswith=value.rstrip("…")))
        if len(found) != 1:
            raise CommandError(f"{'no' if not found else 'more than one'} token matches '{value}'")
        return found[0]
