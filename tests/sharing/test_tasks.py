"""The hourly expiry task per tenant: a transient fault is retried, and each run leaves a TaskRun in the tenant."""

import pytest
from django.db import OperationalError
from django_tenants.utils import schema_context

from core.models import TaskRun
from sharing import tasks


@pytest.fixture
def flaky(monkeypatch):
    """shares_expire failing with a dropped connection the first ``failures`` times it is called."""
    calls: list[str] = []

    def arm(failures: int) -> list[str]:
        def shares_expire() -> int:
            calls.append("called")
            if len(calls) <= failures:
                raise OperationalError("server closed the connection unexpectedly")
            return 2

        monkeypatch.setattr(tasks, "shares_expire", shares_expire)
        return calls

    return arm


def _runs() -> list[tuple[str, str]]:
    return list(
        TaskRun.objects.filter(task="sharing.tasks.shares_expire_tenant").values_list("status", "detail").order_by("id")
    )


def test_a_dropped_database_connection_is_retried_and_the_run_succeeds(acme, flaky):
    calls = flaky(failures=2)
    with schema_context("acme"):
        result = tasks.shares_expire_tenant.apply()
        assert (result.state, result.get()) == ("SUCCESS", 2)
        assert len(calls) == 3
        assert _runs() == [("succeeded", "")]


def test_a_fault_that_outlasts_the_retries_is_recorded_as_a_failed_run_in_the_tenant(acme, globex, flaky):
    calls = flaky(failures=100)
    with schema_context("acme"):
        result = tasks.shares_expire_tenant.apply()
        assert result.state == "FAILURE"
        assert len(calls) == tasks.shares_expire_tenant.max_retries + 1
        assert _runs() == [("failed", "OperationalError: server closed the connection unexpectedly")]
    with schema_context("globex"):
        assert _runs() == []
