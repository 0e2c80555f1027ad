"""Dagster wiring of fangpin: assets, checks, jobs, resources, CLI. No business rule here."""

from orchestration.environment import configure_environment

configure_environment()
