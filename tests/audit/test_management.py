"""audit_verify: checks the chain of one tenant or of every tenant and the platform, and says where it breaks."""

import pytest
from django.core.management.base import CommandError
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from tests.audit.chain import execute, three_events, trigger_bypassed, verify, verify_broken


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
