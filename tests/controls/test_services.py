"""Writing the SoA: validated in the model, the service and the database; audited old → new."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from accounts import services as account_services
from audit.models import AuditEvent
from controls import services
from controls.models import Control


def test_not_applicable_without_justification_is_refused_and_nothing_is_saved(acme, control_in):
    control = control_in("7.4")
    with schema_context("acme"):
        with pytest.raises(ValidationError) as refused:
            services.control_update(
                control=control, by=acme.ciso, applicable=False, status=Control.Status.NOT_APPLICABLE, justification=" "
            )
        assert "justification" in refused.value.message_dict
        stored = Control.objects.get(pk=control.pk)
        assert (stored.applicable, stored.status, stored.justification) == (True, Control.Status.NOT_STARTED, "")
        assert not AuditEvent.objects.filter(action="control.updated", object_id=str(control.pk)).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"applicable": False, "justification": "", "status": "not_applicable"},
        {"applicable": False, "justification": "   \n", "status": "not_applicable"},
        {"applicable": False, "justification": "No offices.", "status": "implemented"},
        {"applicable": True, "justification": "", "status": "not_applicable"},
    ],
)
def test_the_database_refuses_an_unjustified_or_contradictory_row(acme, control_in, changes):
    control = control_in("7.4")
    with schema_context("acme"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Control.objects.filter(pk=control.pk).update(**changes)
        assert Control.objects.get(pk=control.pk).applicable is True


def test_a_justified_exclusion_is_stored(acme, control_in):
    control = control_in("7.4")
    with schema_context("acme"):
        services.control_update(
            control=control,
            by=acme.security,
            applicable=False,
            status=Control.Status.NOT_APPLICABLE,
            justification="Fully remote company: no premises to monitor.",
        )
        stored = Control.objects.get(pk=control.pk)
    assert (stored.applicable, stored.status) == (False, Control.Status.NOT_APPLICABLE)


def test_status_must_agree_with_applicability(acme, control_in):
    control = control_in("8.28")
    with schema_context("acme"):
        with pytest.raises(ValidationError) as refused:
            services.control_update(control=control, by=acme.ciso, status=Control.Status.NOT_APPLICABLE)
        assert "status" in refused.value.message_dict


def test_edit_is_audited_with_old_and_new_values(acme, control_in, make_risk):
    control = control_in("8.28")
    risk = make_risk(title="Injection in the portal")
    with schema_context("acme"):
        services.control_update(
            control=control,
            by=acme.ciso,
            status=Control.Status.PARTIAL,
            owner=acme.security,
            justification="We write web software.",
            risks=[risk],
        )
        event = AuditEvent.objects.get(action="control.updated", object_id=str(control.pk))
    assert event.actor_label == acme.ciso.email
    assert event.changes == {
        "justification": ["", "We write web software."],
        "owner": [None, acme.security.email],
        "risks": [None, risk.reference],
        "status": ["not_started", "partial"],
    }


def test_saving_without_changes_writes_no_event(acme, control_in):
    control = control_in("8.28")
    with schema_context("acme"):
        services.control_update(control=control, by=acme.ciso, status=Control.Status.NOT_STARTED)
        assert not AuditEvent.objects.filter(action="control.updated", object_id=str(control.pk)).exists()


@pytest.mark.parametrize("role", ["management", "auditor", "staff", "admin"])
def test_only_editors_may_update(acme, control_in, role):
    with schema_context("acme"), pytest.raises(PermissionDenied):
        services.control_update(control=control_in(), by=getattr(acme, role), status=Control.Status.PLANNED)


def test_only_editable_fields_may_be_changed(acme, control_in):
    with schema_context("acme"), pytest.raises(TypeError):
        unnamed: dict[str, Any] = {"title": "Renamed"}  # as a form with an extra field would hand it over
        services.control_update(control=control_in(), by=acme.ciso, **unnamed)


def test_links_to_risks_the_editor_cannot_see_are_kept_and_cannot_be_added(acme, control_in, make_risk):
    editor_only = _soa_editor_without_risk_access(acme)
    own = make_risk(owner=editor_only, title="Visible to the editor")
    hidden = make_risk(owner=acme.ciso, title="Hidden from the editor")
    control = control_in("5.7")
    with schema_context("acme"):
        control.risks.set([hidden])
        services.control_update(control=control, by=editor_only, risks=[own])
        assert set(control.risks.all()) == {own, hidden}
        with pytest.raises(ValidationError):
            services.control_update(control=control, by=editor_only, risks=[own, hidden])


def test_offboarding_hands_controls_over_with_an_audit_event(acme, control_in):
    control = control_in("5.1")
    with schema_context("acme"):
        leaver = account_services.user_create(email="leaver@acme.example", roles=["Security"])
        services.control_update(control=control, by=acme.ciso, owner=leaver)
        account_services.user_offboard(user=leaver, by=acme.admin, reassign_to=acme.ciso)
        assert Control.objects.get(pk=control.pk).owner == acme.ciso
        event = AuditEvent.objects.get(action="control.owner_changed", object_id=str(control.pk))
    assert event.changes == {"owner": [leaver.email, acme.ciso.email]}


def _soa_editor_without_risk_access(acme):
    from django.contrib.auth.models import Permission

    with schema_context("acme"):
        person = account_services.user_create(email="soa-editor@acme.example", roles=["Staff"])
        person.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="controls", codename__in=["view_control", "change_control"]
            )
        )
        return type(person).objects.get(pk=person.pk)
