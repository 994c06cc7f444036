"""Risk writes: who may hand a risk to another owner, how long a treatment action opens the risk,
and that only the acceptance step accepts a risk (and a later residual change withdraws it)."""

import datetime as dt
import importlib
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context
from guardian.shortcuts import assign_perm

from accounts import services as account_services
from audit.models import AuditEvent
from risks import services
from risks.models import Risk, TreatmentAction
from risks.policies import risk_policy
from sharing import services as sharing_services


def _risk_actions(risk: Risk) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="risks.risk", object_id=str(risk.pk))
        .exclude(kind=AuditEvent.Kind.ACCESS)
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- the owner -----------------------------------------------------------------------------


def test_a_change_share_does_not_let_its_holder_make_themselves_owner(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"):
        grant = sharing_services.share_grant(obj=risk, by=acme.operations, user=acme.staff, permission="change")
        assert risk_policy.can_change(acme.staff, risk)
        assert not risk_policy.can_change_owner(acme.staff, risk)
        with pytest.raises(PermissionDenied):
            services.risk_update(risk=Risk.objects.get(pk=risk.pk), by=acme.staff, owner=acme.staff)
        assert Risk.objects.get(pk=risk.pk).owner == acme.operations
        sharing_services.share_revoke(grant=grant, by=acme.operations)
        assert not risk_policy.can_view(acme.staff, risk)


@pytest.mark.parametrize("by", ["operations", "ciso", "security"])
def test_the_owner_or_a_risk_manager_hands_a_risk_over(acme, make_risk, by):
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"):
        person = getattr(acme, by)
        assert risk_policy.can_change_owner(person, risk)
        services.risk_update(risk=Risk.objects.get(pk=risk.pk), by=person, owner=acme.staff)
        risk.refresh_from_db()
        assert risk.owner == acme.staff
        assert risk_policy.can_change(acme.staff, risk)
        assert not risk_policy.can_view(acme.operations, risk)  # the former owner's access went with it


def test_a_service_refuses_fields_the_edit_does_not_name(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"), pytest.raises(TypeError):
        unnamed: dict[str, Any] = {"accepted_by": acme.ciso}  # as a form with an extra field would hand it over
        services.risk_update(risk=risk, by=acme.ciso, **unnamed)


def test_an_edit_changes_what_it_names_and_can_clear_a_date(acme, make_risk):
    """A field not passed keeps its value; passing None clears a date (None is a value, not "unchanged")."""
    risk = make_risk(owner=acme.operations, next_review=dt.date(2027, 1, 15), category="People")
    with schema_context("acme"):
        risk = services.risk_update(risk=risk, by=acme.ciso, impact=2)
        risk.refresh_from_db()
        assert (risk.impact, risk.likelihood, risk.category) == (2, 3, "People")
        assert risk.next_review == dt.date(2027, 1, 15) and risk.owner == acme.operations
        services.risk_update(risk=risk, by=acme.ciso, next_review=None)
        risk.refresh_from_db()
        assert risk.next_review is None and risk.category == "People"


# --- treatment actions ------------------------------------------------------------------------


def test_a_treatment_action_opens_the_risk_to_its_owner_only_while_it_is_open(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"):
        action = services.action_add(
            risk=risk, by=acme.operations, title="Patch", owner=acme.staff, due_date=timezone.localdate()
        )
    staff = acme.logged_in_client(acme.staff)
    assert staff.get(f"/risks/{risk.pk}/").status_code == 200
    assert staff.post(f"/risks/actions/{action.pk}/status/", {"status": "done"}).status_code == 302
    assert staff.get(f"/risks/{risk.pk}/").status_code == 404
    assert risk.reference not in staff.get("/risks/").content.decode()
    with schema_context("acme"):
        assert not acme.fresh().staff.has_perm("risks.view_risk", risk)  # nothing stored to forget later
        # Reopened by the risk's owner: the assignee works on it again and sees the risk again.
        services.action_status_set(action=action, by=acme.operations, status="in_progress")
    assert staff.get(f"/risks/{risk.pk}/").status_code == 200


def test_a_reassigned_action_no_longer_opens_the_risk_to_its_former_owner(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        services.action_add(risk=risk, by=acme.ciso, title="Patch", owner=acme.staff, due_date=timezone.localdate())
        assert risk_policy.can_view(acme.staff, risk)
        services.actions_reassign(acme.staff, acme.operations)
        assert not risk_policy.can_view(acme.fresh().staff, risk)
        assert risk_policy.can_view(acme.fresh().operations, risk)


def test_migration_removes_view_permissions_stored_for_action_owners(acme, make_risk):
    migration = importlib.import_module("risks.migrations.0006_action_access_computed")
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"):
        assign_perm("risks.view_risk", acme.staff, risk)  # what action_add used to store, forever
        migration.action_owner_permissions_remove(global_apps, None)
        assert not acme.fresh().staff.has_perm("risks.view_risk", risk)
        assert acme.fresh().operations.has_perm("risks.view_risk", risk)  # the owner's stays


# --- acceptance -------------------------------------------------------------------------------


def test_a_risk_cannot_be_created_accepted(acme):
    with schema_context("acme"):
        with pytest.raises(ValidationError):
            services.risk_create(
                by=acme.ciso, owner=acme.ciso, title="Born accepted", likelihood=2, impact=2, status="accepted"
            )
        assert not Risk.objects.filter(title="Born accepted").exists()


def test_the_edit_service_refuses_to_accept_a_risk(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        with pytest.raises(ValidationError):
            services.risk_update(risk=risk, by=acme.ciso, status=Risk.Status.ACCEPTED)
        risk.refresh_from_db()
        assert risk.status == Risk.Status.OPEN and risk.accepted_at is None


def _accepted(acme, make_risk) -> Risk:
    risk = make_risk(
        owner=acme.operations,
        residual_likelihood=3,
        residual_impact=4,
        next_review=timezone.localdate() + dt.timedelta(days=90),
    )
    with schema_context("acme"):
        return services.risk_accept(risk=risk, by=acme.management, justification="Cost of control exceeds impact.")


def test_changing_residual_scores_after_acceptance_withdraws_it(acme, make_risk):
    risk = _accepted(acme, make_risk)
    with schema_context("acme"):
        services.risk_update(risk=Risk.objects.get(pk=risk.pk), by=acme.operations, residual_impact=5)
        risk.refresh_from_db()
        assert risk.status == Risk.Status.OPEN
        assert risk.accepted_at is None and risk.accepted_by is None and risk.acceptance_expires is None
        assert not risk.acceptance_is_valid(timezone.localdate())
        assert "risk.acceptance_withdrawn" in _risk_actions(risk)
        withdrawn = AuditEvent.objects.get(object_id=str(risk.pk), action="risk.acceptance_withdrawn")
        assert withdrawn.changes["accepted_by"] == [acme.management.email, None]
    history = acme.logged_in_client(acme.ciso).get(f"/risks/{risk.pk}/").content.decode()
    assert "risk.acceptance_withdrawn" in history


def test_other_edits_keep_a_valid_acceptance(acme, make_risk):
    risk = _accepted(acme, make_risk)
    with schema_context("acme"):
        services.risk_update(risk=Risk.objects.get(pk=risk.pk), by=acme.operations, title="Renamed")
        risk.refresh_from_db()
        assert risk.status == Risk.Status.ACCEPTED and risk.acceptance_is_valid(timezone.localdate())
        assert "risk.acceptance_withdrawn" not in _risk_actions(risk)


def test_offboarding_still_hands_over_actions_and_risks(acme, make_risk):
    risk = make_risk(owner=acme.staff)
    with schema_context("acme"):
        TreatmentAction.objects.create(risk=risk, title="Open", owner=acme.staff, due_date=timezone.localdate())
        account_services.user_offboard(user=acme.staff, by=acme.admin, reassign_to=acme.security)
        assert Risk.objects.get(pk=risk.pk).owner == acme.security


def test_the_risk_page_says_an_open_action_is_why_its_owner_sees_the_risk(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"):
        action = services.action_add(
            risk=risk, by=acme.operations, title="Patch", owner=acme.staff, due_date=timezone.localdate()
        )
    owner = acme.logged_in_client(acme.operations)
    assert "owner of an open treatment action" in owner.get(f"/risks/{risk.pk}/").content.decode()
    with schema_context("acme"):
        services.action_status_set(action=action, by=acme.staff, status="done")
    assert "owner of an open treatment action" not in owner.get(f"/risks/{risk.pk}/").content.decode()
