"""Fixtures of the account tests."""

from collections.abc import Iterator

import pytest

from isms.celery import app


@pytest.fixture(autouse=True)
def _tasks_run_at_once() -> Iterator[None]:
    """Invitation e-mail goes through a Celery task: run tasks in the test, as a worker would."""
    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates
