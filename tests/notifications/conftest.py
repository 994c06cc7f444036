"""Fixtures of these tests."""

import pytest


@pytest.fixture(autouse=True)
def _tasks_run_at_once(tasks_run_at_once: None) -> None:
    """E-mail goes through a Celery task: run it in the test, as a worker would."""
