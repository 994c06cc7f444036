"""Fixtures of the shell's tests."""

from typing import Any

import pytest
from celery import Celery


@pytest.fixture
def sent(monkeypatch) -> list[dict[str, Any]]:
    """Messages as they leave for the broker, after tenant-schemas-celery stamped them; none is published."""
    messages: list[dict[str, Any]] = []

    def capture(app: Celery, name: str, args: Any = None, kwargs: Any = None, **options: Any) -> None:
        messages.append({"task": name, "args": list(args or ()), **options})

    monkeypatch.setattr(Celery, "send_task", capture)
    return messages
