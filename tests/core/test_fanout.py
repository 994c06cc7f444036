"""Every tenant task is queued through one helper: active tenants only, each stamped with its own schema
by tenant-schemas-celery, beat's fan-outs spread over a window, one tenant's task only after commit."""

import pytest
from django_tenants.utils import schema_context

from audit.tasks import audit_chain_verify_dispatch
from backups.tasks import backup_dispatch, backups_prune_dispatch, restore_drill_dispatch
from core.fanout import DEFAULT_SPREAD_SECONDS, tenant_task_enqueue
from core.tasks import PublicSchemaError, heartbeat, heartbeat_dispatch
from notifications.tasks import reminders_dispatch
from sharing.tasks import shares_expire_dispatch
from tenants.models import Tenant

DISPATCHERS = [
    (heartbeat_dispatch, "core.tasks.heartbeat", 5),
    (backup_dispatch, "backups.tasks.backup_tenant", DEFAULT_SPREAD_SECONDS),
    (backups_prune_dispatch, "backups.tasks.backups_prune", DEFAULT_SPREAD_SECONDS),
    (restore_drill_dispatch, "backups.tasks.restore_drill", DEFAULT_SPREAD_SECONDS),
    (audit_chain_verify_dispatch, "audit.tasks.audit_chain_verify", DEFAULT_SPREAD_SECONDS),
    (shares_expire_dispatch, "sharing.tasks.shares_expire_tenant", DEFAULT_SPREAD_SECONDS),
    (reminders_dispatch, "notifications.tasks.reminders", DEFAULT_SPREAD_SECONDS),
]


@pytest.mark.parametrize("dispatcher, task, spread", DISPATCHERS, ids=[task for _d, task, _s in DISPATCHERS])
def test_beat_fans_out_to_each_active_tenant_in_its_own_schema_spread_over_the_window(
    acme, globex, sent, dispatcher, task, spread
):
    Tenant.objects.filter(pk=globex.tenant.pk).update(status=Tenant.Status.SUSPENDED)
    active = set(
        Tenant.objects.exclude(schema_name="public").filter(status="active").values_list("schema_name", flat=True)
    )
    assert "acme" in active and "globex" not in active

    count = dispatcher.apply().get()

    queued = [message for message in sent if message["task"] == task]
    assert count == len(queued) == len(active)
    assert sorted(message["headers"]["_schema_name"] for message in queued) == sorted(
        active
    )  # a suspended tenant: none
    for message in queued:
        assert 0 <= message["countdown"] <= spread


def test_a_tenants_task_is_queued_for_that_tenant_only_once_the_transaction_commits(
    acme, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with schema_context("acme"):
            tenant_task_enqueue(heartbeat)
        assert sent == []  # a rolled-back request would queue nothing
    assert [(message["task"], message["headers"]["_schema_name"]) for message in sent] == [
        ("core.tasks.heartbeat", "acme")
    ]


def test_a_tenant_task_cannot_be_queued_for_the_public_schema(db, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PublicSchemaError, match="needs a tenant"):
        tenant_task_enqueue(heartbeat)
    assert sent == []
