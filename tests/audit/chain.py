"""Helpers of the audit-chain tests: write events, tamper with them as a database owner could, verify."""

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django_tenants.utils import schema_context

import audit
from audit.models import AuditEvent


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def verify_broken(*args: str) -> str:
    out = io.StringIO()
    with pytest.raises(CommandError, match=r"audit chain\(s\) broken"):
        call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def three_events(schema: str) -> list[AuditEvent]:
    with schema_context(schema):
        return [
            audit.record(actor=None, actor_label="chain test", action=f"chain.step-{step}", changes={"step": [0, step]})
            for step in (1, 2, 3)
        ]


@contextmanager
def trigger_bypassed(schema: str) -> Iterator[None]:
    """What a database superuser could do: write to the table with its triggers switched off."""
    with schema_context(schema), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        try:
            yield
        finally:
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def execute(sql: str, params: Sequence[str | int] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
