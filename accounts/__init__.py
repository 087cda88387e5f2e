"""Accounts: users' roles, personal access tokens, connections (secrets), audit log."""
