"""Fixtures of the account tests."""

import pytest


@pytest.fixture(autouse=True)
def _tasks_run_at_once(tasks_run_at_once: None) -> None:
    """Invitation and lockout e-mail go through Celery tasks: run them in the test, as a worker would."""
