"""Accounts: users' roles, personal access tokens, connections (secrets), audit log."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts import logfilter, signals

        signals.connect()
        logfilter.install()
        from workflows import ops

        ops.connect()  # run metrics; lives here because this app owns the ops layer
