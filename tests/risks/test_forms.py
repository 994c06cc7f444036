"""The risk edit form offers only what the person may do: no owner change through a share, never "Accepted"."""

import datetime as dt

from django.utils import timezone
from django_tenants.utils import schema_context

from risks import services
from risks.models import Risk
from sharing import services as sharing_services


def _edit_post(person, **overrides):
    data = {
        "title": "Phishing of admin accounts",
        "owner": person.pk,
        "likelihood": 3,
        "impact": 4,
        "treatment": "mitigate",
        "status": "open",
    }
    data.update(overrides)
    return data


def test_a_share_holder_is_not_offered_the_owner_and_cannot_post_it(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"):
        grant = sharing_services.share_grant(obj=risk, by=acme.operations, user=acme.staff, permission="change")
    staff = acme.logged_in_client(acme.staff)
    form = staff.get(f"/risks/{risk.pk}/edit/").content.decode()
    assert 'name="owner"' not in form
    response = staff.post(f"/risks/{risk.pk}/edit/", _edit_post(acme.staff, title="Edited under a share"))
    assert response.status_code == 302
    with schema_context("acme"):
        risk.refresh_from_db()
        assert risk.title == "Edited under a share" and risk.owner == acme.operations
        sharing_services.share_revoke(grant=grant, by=acme.operations)
    assert staff.get(f"/risks/{risk.pk}/").status_code == 404


def test_the_owner_is_offered_the_owner_field(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    form = acme.logged_in_client(acme.operations).get(f"/risks/{risk.pk}/edit/").content.decode()
    assert 'name="owner"' in form


def test_the_form_never_offers_accepted_and_refuses_it(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    ciso = acme.logged_in_client(acme.ciso)
    form = ciso.get(f"/risks/{risk.pk}/edit/").content.decode()
    assert 'value="accepted"' not in form
    assert 'value="accepted"' not in ciso.get("/risks/new/").content.decode()
    response = ciso.post(f"/risks/{risk.pk}/edit/", _edit_post(acme.ciso, status="accepted"))
    assert response.status_code == 200
    with schema_context("acme"):
        risk.refresh_from_db()
        assert risk.status == Risk.Status.OPEN and risk.accepted_at is None


def test_an_accepted_risk_can_still_be_edited_and_residual_edits_withdraw_it(acme, make_risk):
    risk = make_risk(
        owner=acme.operations,
        residual_likelihood=3,
        residual_impact=4,
        next_review=timezone.localdate() + dt.timedelta(days=90),
    )
    with schema_context("acme"):
        services.risk_accept(risk=risk, by=acme.management, justification="Accepted for now.")
    owner = acme.logged_in_client(acme.operations)
    common = {"residual_likelihood": 3, "next_review": (timezone.localdate() + dt.timedelta(days=90)).isoformat()}
    saved = owner.post(
        f"/risks/{risk.pk}/edit/",
        _edit_post(acme.operations, status="accepted", residual_impact=4, title="Renamed", **common),
    )
    assert saved.status_code == 302
    with schema_context("acme"):
        risk.refresh_from_db()
        assert risk.title == "Renamed" and risk.status == Risk.Status.ACCEPTED and risk.accepted_at is not None
    owner.post(f"/risks/{risk.pk}/edit/", _edit_post(acme.operations, status="accepted", residual_impact=2, **common))
    with schema_context("acme"):
        risk.refresh_from_db()
        assert risk.status == Risk.Status.OPEN and risk.accepted_at is None
