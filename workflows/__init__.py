"""Workflows: definitions, versions, runs; the expression language and the engine."""
