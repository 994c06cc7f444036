"""The version life cycle, acknowledgements and the training contract (signals, selectors)."""

import importlib

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from policies import selectors, services, signals
from policies.models import Acknowledgement, PolicyVersion
from policies.policies import policy_policy

from .conftest import version


def _statuses(policy) -> dict[int, str]:
    with schema_context("acme"):
        return dict(policy.versions.values_list("number", "status"))


def test_publishing_retires_the_previous_version_in_the_same_step(acme, make_policy):
    policy = make_policy(states=("published", "approved"))
    with schema_context("acme"):
        services.policy_version_publish(version=version(policy, 2), by=acme.management)
    assert _statuses(policy) == {1: "retired", 2: "published"}
    one, two = version(policy, 1), version(policy, 2)
    assert one.retired_at == two.published_at
    with schema_context("acme"):
        current = selectors.current_version(policy)
        assert current is not None and current.number == 2
        actions = list(
            AuditEvent.objects.filter(object_id=str(policy.pk), action__startswith="policy.version_")
            .order_by("id")
            .values_list("action", "object_label")
        )
    assert actions[-2:] == [
        ("policy.version_retired", "IT security policy · v1"),
        ("policy.version_published", "IT security policy · v2"),
    ]


def test_approval_records_who_and_when(acme, make_policy):
    policy = make_policy(states=("draft",))
    with schema_context("acme"):
        services.policy_version_approve(version=version(policy, 1), by=acme.management)
    approved = version(policy, 1)
    assert approved.status == "approved"
    assert approved.approved_by == acme.management
    assert approved.approved_at is not None
    with schema_context("acme"):
        event = AuditEvent.objects.get(action="policy.version_approved", object_id=str(policy.pk))
    assert event.actor_id == acme.management.pk


def test_the_author_of_a_draft_cannot_approve_it(acme, make_policy):
    with schema_context("acme"):
        policy = services.policy_create(by=acme.ciso, title="Backup policy", owner=acme.ciso)
        draft = services.policy_version_create(policy=policy, by=acme.ciso, body="Back up daily.")
        with pytest.raises(ValidationError, match="someone else must approve"):
            services.policy_version_approve(version=draft, by=acme.ciso)
        draft.refresh_from_db()
        assert draft.status == "draft"
        services.policy_version_approve(version=draft, by=acme.management)


@pytest.mark.parametrize(
    "states, number, step, allowed",
    [
        (("draft",), 1, "publish", False),  # a draft must be approved first
        (("draft",), 1, "retire", False),
        (("approved",), 1, "approve", False),
        (("approved",), 1, "retire", True),  # withdrawn before it ever came into force
        (("published",), 1, "approve", False),
        (("published",), 1, "publish", False),
        (("retired", "published"), 1, "publish", False),  # a retired text never comes back
        (("retired", "published"), 1, "retire", False),
        (("retired", "published"), 1, "approve", False),
        (("draft",), 1, "approve", True),
        (("approved",), 1, "publish", True),
        (("published",), 1, "retire", True),
    ],
)
def test_only_allowed_transitions(acme, make_policy, states, number, step, allowed):
    policy = make_policy(states=states)
    before = _statuses(policy)
    service = {
        "approve": services.policy_version_approve,
        "publish": services.policy_version_publish,
        "retire": services.policy_version_retire,
    }[step]
    with schema_context("acme"):
        if allowed:
            service(version=version(policy, number), by=acme.management)
        else:
            with pytest.raises(ValidationError):
                service(version=version(policy, number), by=acme.management)
    if not allowed:
        assert _statuses(policy) == before


@pytest.mark.parametrize("role", ["security", "staff", "auditor", "operations", "external", "admin"])
def test_only_ciso_and_management_approve_publish_and_retire(acme, make_policy, role):
    policy = make_policy(states=("published", "draft"))
    with schema_context("acme"):
        for service, number in (
            (services.policy_version_approve, 2),
            (services.policy_version_publish, 2),
            (services.policy_version_retire, 1),
        ):
            with pytest.raises(PermissionDenied):
                service(version=version(policy, number), by=getattr(acme, role))
    assert _statuses(policy) == {1: "published", 2: "draft"}


def test_the_database_holds_one_published_version_per_policy(acme, make_policy):
    policy = make_policy(states=("published", "approved"))
    two = version(policy, 2)
    with schema_context("acme"), pytest.raises(IntegrityError), transaction.atomic():
        PolicyVersion.objects.filter(pk=two.pk).update(status="published", published_at=two.approved_at)


def test_published_text_never_changes_even_in_the_database(acme, make_policy):
    policy = make_policy(states=("published",))
    one = version(policy, 1)
    with schema_context("acme"):
        with pytest.raises(ValidationError, match="Only a draft"):
            services.policy_version_update(version=one, by=acme.ciso, body="Rewritten", change_summary="")
        with pytest.raises(Exception, match="frozen"), transaction.atomic():
            PolicyVersion.objects.filter(pk=one.pk).update(body="Rewritten behind the portal's back")
        with pytest.raises(Exception, match="cannot be deleted"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM policies_policyversion WHERE id = %s", [one.pk])
    assert version(policy, 1).body == "# IT security policy\n\nVersion 1 text."


def test_one_version_in_the_works_at_a_time(acme, make_policy):
    policy = make_policy(states=("published", "draft"))
    with schema_context("acme"), pytest.raises(ValidationError, match="in the works"):
        services.policy_version_create(policy=policy, by=acme.security, body="Another draft")


def test_a_draft_can_be_edited_and_discarded_but_only_a_draft(acme, make_policy):
    policy = make_policy(states=("published", "draft"))
    with schema_context("acme"):
        services.policy_version_update(
            version=version(policy, 2), by=acme.ciso, body="New text", change_summary="Shorter"
        )
        assert version(policy, 2).body == "New text"
        services.policy_version_discard(version=version(policy, 2), by=acme.security)
        assert list(policy.versions.values_list("number", flat=True)) == [1]
        with pytest.raises(ValidationError):
            services.policy_version_discard(version=version(policy, 1), by=acme.ciso)


def test_acknowledging_is_idempotent_audited_and_signalled(acme, make_policy):
    policy = make_policy(states=("published",))
    received = []

    def receiver(sender, acknowledgement, **kwargs):
        received.append(acknowledgement)

    signals.version_acknowledged.connect(receiver)
    try:
        with schema_context("acme"):
            first = services.policy_acknowledge(user=acme.staff, version=version(policy, 1))
            second = services.policy_acknowledge(user=acme.staff, version=version(policy, 1))
            assert first.pk == second.pk
            assert first.acknowledged_at == second.acknowledged_at
            assert Acknowledgement.objects.filter(user=acme.staff).count() == 1
            assert AuditEvent.objects.filter(action="policy.acknowledged", actor=acme.staff).count() == 1
    finally:
        signals.version_acknowledged.disconnect(receiver)
    assert [acknowledgement.pk for acknowledgement in received] == [first.pk]


@pytest.mark.parametrize("state", ["draft", "approved", "retired"])
def test_only_the_published_version_can_be_acknowledged(acme, make_policy, state):
    states = {"draft": ("draft",), "approved": ("approved",), "retired": ("published", "published")}[state]
    policy = make_policy(states=states)
    with schema_context("acme"), pytest.raises(ValidationError):
        services.policy_acknowledge(user=acme.staff, version=version(policy, 1))


def test_people_outside_the_audience_cannot_acknowledge(acme, make_policy):
    policy = make_policy(states=("published",), audience=["Operations"])
    with schema_context("acme"):
        with pytest.raises(PermissionDenied):
            services.policy_acknowledge(user=acme.staff, version=version(policy, 1))
        services.policy_acknowledge(user=acme.operations, version=version(policy, 1))


def test_a_new_version_keeps_the_old_acknowledgement_and_asks_again(acme, make_policy):
    policy = make_policy(states=("published", "approved"))
    with schema_context("acme"):
        services.policy_acknowledge(user=acme.staff, version=version(policy, 1))
        services.policy_version_publish(version=version(policy, 2), by=acme.ciso)
        status = next(row for row in selectors.acknowledgement_status(acme.staff) if row.policy.pk == policy.pk)
        assert status.acknowledged is not None
        assert (status.current.number, status.acknowledged.number, status.state) == (2, 1, "older")
        assert not status.up_to_date
        old = Acknowledgement.objects.get(user=acme.staff)
        assert (old.version.number, old.version.status) == (1, "retired")
        rows = {row.person.pk: row for row in selectors.audience_acknowledgements(policy)}
        assert rows[acme.staff.pk].state == "older"
        staff_acknowledgement = rows[acme.staff.pk].acknowledgement
        assert staff_acknowledgement is not None and staff_acknowledgement.version.number == 1
        assert rows[acme.ciso.pk].state == "never"
        services.policy_acknowledge(user=acme.staff, version=version(policy, 2))
        status = next(row for row in selectors.acknowledgement_status(acme.staff) if row.policy.pk == policy.pk)
        assert status.state == "current"
        assert Acknowledgement.objects.filter(user=acme.staff).count() == 2


def test_version_published_signal_carries_the_version_and_the_publisher(acme, make_policy):
    policy = make_policy(states=("published", "approved"))
    received = []

    def receiver(sender, version, by, **kwargs):
        received.append((version.number, version.status, by, _statuses(policy)))

    signals.version_published.connect(receiver)
    try:
        with schema_context("acme"):
            services.policy_version_publish(version=version(policy, 2), by=acme.management)
    finally:
        signals.version_published.disconnect(receiver)
    # Sent inside the transaction, after the previous version was retired.
    assert received == [(2, "published", acme.management, {1: "retired", 2: "published"})]


def test_audience_users_follow_roles_or_everyone(acme, make_policy):
    everyone = make_policy(title="Acceptable use policy")
    ops = make_policy(title="Change policy", audience=["Operations", "External"])
    with schema_context("acme"):
        assert set(selectors.audience_users(everyone)) == set(acme.people.values())
        assert set(selectors.audience_users(ops)) == {acme.operations, acme.external}
        acme.external.is_active = False
        acme.external.save()
        assert set(selectors.audience_users(ops)) == {acme.operations}


def test_acknowledgement_status_lists_only_policies_addressed_to_me_with_a_text_in_force(acme, make_policy):
    make_policy(title="A everyone", states=("published",))
    make_policy(title="B operations only", states=("published",), audience=["Operations"])
    make_policy(title="C draft only", states=("draft",))
    make_policy(title="D withdrawn", states=("published", "retired"))
    with schema_context("acme"):
        titles = [row.policy.title for row in selectors.acknowledgement_status(acme.staff)]
        assert titles == ["A everyone"]
        assert [row.policy.title for row in selectors.acknowledgement_status(acme.operations)] == [
            "A everyone",
            "B operations only",
        ]


def test_offboarding_hands_policies_over(acme, make_policy):
    from accounts.ownership import records_reassign

    policy = make_policy()
    with schema_context("acme"):
        records_reassign(acme.ciso, acme.security)
        policy.refresh_from_db()
        assert policy.owner == acme.security


def test_whoever_edited_a_draft_cannot_approve_it(acme):
    with schema_context("acme"):
        policy = services.policy_create(by=acme.ciso, title="Access control policy", owner=acme.ciso)
        draft = services.policy_version_create(policy=policy, by=acme.security, body="Least privilege.")
        services.policy_version_update(
            version=draft, by=acme.ciso, body="Least privilege, reviewed quarterly.", change_summary="Reviews"
        )
        assert set(version(policy, 1).editors.all()) == {acme.security, acme.ciso}
        assert not policy_policy.can_approve(acme.ciso, version(policy, 1))
        with pytest.raises(ValidationError, match="You wrote or edited this draft: someone else must approve it"):
            services.policy_version_approve(version=draft, by=acme.ciso)
        assert version(policy, 1).status == "draft"
        assert policy_policy.can_approve(acme.management, version(policy, 1))
        services.policy_version_approve(version=draft, by=acme.management)
        assert version(policy, 1).status == "approved"


def test_saving_a_draft_unchanged_does_not_make_an_editor(acme):
    with schema_context("acme"):
        policy = services.policy_create(by=acme.ciso, title="Clean desk policy", owner=acme.ciso)
        draft = services.policy_version_create(policy=policy, by=acme.security, body="Lock your screen.")
        services.policy_version_update(version=draft, by=acme.ciso, body="Lock your screen.", change_summary="")
        assert set(version(policy, 1).editors.all()) == {acme.security}


def test_migration_seeds_the_editors_with_each_versions_author(acme, make_policy):
    migration = importlib.import_module("policies.migrations.0005_policyversion_editors")
    policy = make_policy(states=("published", "draft"))
    with schema_context("acme"):
        for each in PolicyVersion.objects.filter(policy=policy):
            each.editors.clear()
        migration.editors_seed_with_authors(global_apps, None)
        for each in PolicyVersion.objects.filter(policy=policy):
            assert list(each.editors.all()) == [each.created_by]
