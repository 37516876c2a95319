"""Checks: pure functions (config, observations, today) -> list[Result]."""
