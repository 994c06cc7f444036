"""audit_verify: checks the chain of one tenant or of every tenant and the platform, and says where it breaks."""

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


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_audit_verify_reports_an_intact_tenant(acme):
    three_events("acme")
    with schema_context("acme"):
        count = AuditEvent.objects.count()
    assert verify("--tenant", "acme").strip() == f"acme: intact, {count} events, 0 anchors checked"


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_audit_verify_without_a_tenant_checks_every_tenant_and_the_platform(acme, globex):
    output = verify()
    assert "platform (public): intact" in output
    assert "acme: intact" in output
    assert "globex: intact" in output


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_audit_verify_without_a_tenant_fails_on_one_broken_chain_and_reports_the_rest(acme, globex):
    _first, altered, _last = three_events("globex")
    with trigger_bypassed("globex"):
        execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [altered.pk])

    output = verify_broken()
    assert f"globex: BROKEN at event {altered.pk} " in output
    assert "acme: intact" in output
    assert "platform (public): intact" in output


@pytest.mark.usefixtures("as_database_superuser", "anchors_cleared")
def test_audit_verify_refuses_an_unknown_tenant(db, worlds):
    with pytest.raises(CommandError, match="There is no tenant with the slug “initech”"):
        verify("--tenant", "initech")
