"""Treatment actions, linked controls on the risk page, the analysis deadline reminder, objectives from analyses."""

import datetime as dt
import re

from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import services as account_services
from audit.models import AuditEvent
from risks import analyses
from risks.models import TreatmentAction


def test_treatment_actions_are_added_moved_along_and_flagged_overdue(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    ciso = acme.logged_in_client(acme.ciso)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ciso.post(
        f"/risks/{risk.pk}/actions/",
        {"title": "Roll out FIDO2 keys", "owner": acme.operations.pk, "due_date": yesterday.isoformat()},
    )
    page = ciso.get(f"/risks/{risk.pk}/").content.decode()
    assert "Roll out FIDO2 keys" in page and "overdue" in page
    with schema_context("acme"):
        action = TreatmentAction.objects.get()
    # The action's owner may move it along even without access to change the risk.
    operations = acme.logged_in_client(acme.operations)
    assert operations.post(f"/risks/actions/{action.pk}/status/", {"status": "done"}).status_code == 302
    with schema_context("acme"):
        action.refresh_from_db()
        assert action.status == "done" and action.completed_at is not None
        actions = list(AuditEvent.objects.filter(object_id=str(risk.pk)).values_list("action", flat=True))
    assert "risk.action_added" in actions and "risk.action_status_changed" in actions
    assert "overdue" not in ciso.get(f"/risks/{risk.pk}/").content.decode()


def test_others_cannot_add_or_move_actions(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        action = TreatmentAction.objects.create(
            risk=risk, title="Patch", owner=acme.security, due_date=timezone.localdate()
        )
    auditor = acme.logged_in_client(acme.auditor)
    auditor.post(f"/risks/{risk.pk}/actions/", {"title": "X", "owner": acme.staff.pk, "due_date": "2030-01-01"})
    assert auditor.post(f"/risks/actions/{action.pk}/status/", {"status": "done"}).status_code == 404
    with schema_context("acme"):
        assert TreatmentAction.objects.count() == 1
        assert TreatmentAction.objects.get().status == "planned"


def test_offboarding_hands_over_open_actions(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        TreatmentAction.objects.create(risk=risk, title="Open", owner=acme.operations, due_date=timezone.localdate())
        account_services.user_offboard(user=acme.operations, by=acme.admin, reassign_to=acme.security)
        assert TreatmentAction.objects.get().owner == acme.security


def test_linked_controls_show_on_the_risk_page(acme, make_risk):
    from controls.models import Control

    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        control = Control.objects.get(reference="8.7")
        control.risks.add(risk)
    page = acme.logged_in_client(acme.ciso).get(f"/risks/{risk.pk}/").content.decode()
    assert "Linked controls" in page and "8.7" in page


def test_an_objective_can_start_from_a_signed_off_analysis(acme, make_risk):
    top = make_risk(title="Top risk", likelihood=5, impact=5)
    today = timezone.localdate()
    with schema_context("acme"):
        analysis = analyses.analysis_create(
            by=acme.ciso, name="2026 H1", period_start=today, period_end=today, deadline=today
        )
        analyses.analysis_start(analysis=analysis, by=acme.ciso)
        analyses.analysis_sign(analysis=analysis, by=acme.ciso)
        analyses.analysis_sign(analysis=analysis, by=acme.management)
    client = acme.logged_in_client(acme.ciso)
    report = client.get(f"/risks/analyses/{analysis.pk}/report/").content.decode()
    assert f"/objectives/new/?analysis={analysis.pk}" in report
    form = client.get(f"/objectives/new/?analysis={analysis.pk}").content.decode()
    assert 'value="2026 H1"' in form
    box = re.search(rf'<input[^>]*name="risks"[^>]*value="{top.pk}"[^>]*>', form)
    assert box and "checked" in box.group(0)
