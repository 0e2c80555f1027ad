"""Dagster wiring of fangpin: assets, checks, jobs, resources, the CLI. No business rule lives here."""

from orchestration.environment import configure_environment

configure_environment()
