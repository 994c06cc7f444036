"""User-managed sharing pages: grants, revocation, expiry, requests; each step audited and visible on the record."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import services as account_services
from audit.models import AuditEvent
from sharing import services
from sharing.models import AccessRequest, ShareGrant


def _actions(risk) -> list[str]:
    with schema_context("acme"):
        return list(
            AuditEvent.objects.filter(object_type="risks.risk", object_id=str(risk.pk))
            .exclude(kind=AuditEvent.Kind.ACCESS)
            .order_by("id")
            .values_list("action", flat=True)
        )


def test_owner_shares_with_a_person_who_then_sees_it_and_why(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    staff = acme.logged_in_client(acme.staff)
    assert staff.get(f"/risks/{risk.pk}/").status_code == 404

    owner = acme.logged_in_client(acme.operations)
    response = owner.post(f"/sharing/risks.risk/{risk.pk}/share/", {"person": acme.staff.pk, "permission": "view"})
    assert response.status_code == 302

    page = staff.get(f"/risks/{risk.pk}/")
    assert page.status_code == 200
    assert risk.reference in staff.get("/risks/").content.decode()
    assert staff.get(f"/risks/{risk.pk}/edit/").status_code == 404  # view only
    panel = owner.get(f"/risks/{risk.pk}/").content.decode()
    assert "Who can see this, and why" in panel
    assert f"shared by {acme.operations}" in panel and str(acme.staff) in panel
    assert "share.granted" in _actions(risk)


def test_revoking_a_share_closes_the_record_again(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"):
        grant = services.share_grant(obj=risk, by=acme.operations, user=acme.staff, permission="change")
    staff = acme.logged_in_client(acme.staff)
    assert staff.get(f"/risks/{risk.pk}/edit/").status_code == 200

    owner = acme.logged_in_client(acme.operations)
    assert owner.post(f"/sharing/grants/{grant.pk}/revoke/").status_code == 302
    assert staff.get(f"/risks/{risk.pk}/").status_code == 404
    assert "share.revoked" in _actions(risk)


def test_a_share_ends_by_itself_at_its_end_time_and_the_expiry_is_audited(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"):
        grant = services.share_grant(
            obj=risk, by=acme.operations, user=acme.staff, expires_at=timezone.now() + dt.timedelta(days=1)
        )
    staff = acme.logged_in_client(acme.staff)
    assert staff.get(f"/risks/{risk.pk}/").status_code == 200
    with schema_context("acme"):
        ShareGrant.objects.filter(pk=grant.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert staff.get(f"/risks/{risk.pk}/").status_code == 404  # at once, before any job runs
    with schema_context("acme"):
        assert services.shares_expire() == 1
        assert services.shares_expire() == 0  # recorded once
    assert _actions(risk).count("share.expired") == 1


def test_sharing_with_a_role_opens_it_to_everyone_in_that_role(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"):
        services.share_grant(obj=risk, by=acme.operations, role=Group.objects.get(name="Staff"))
    assert acme.logged_in_client(acme.staff).get(f"/risks/{risk.pk}/").status_code == 200
    assert acme.logged_in_client(acme.external).get(f"/risks/{risk.pk}/").status_code == 404


def test_request_approve_gives_access(
    acme, make_risk, mailoutbox, django_capture_on_commit_callbacks, tasks_run_at_once
):
    risk = make_risk(owner=acme.operations)
    staff = acme.logged_in_client(acme.staff)
    unavailable = staff.get(f"/risks/{risk.pk}/")
    assert "Ask for access" in unavailable.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(f"/sharing/risks.risk/{risk.pk}/ask/", {"permission": "view", "message": "For the DR test"})
    assert [mail.to for mail in mailoutbox] == [[acme.operations.email]]

    owner = acme.logged_in_client(acme.operations)
    page = owner.get(f"/risks/{risk.pk}/").content.decode()
    assert "For the DR test" in page
    with schema_context("acme"):
        access_request = AccessRequest.objects.get(requester=acme.staff)
    owner.post(f"/sharing/requests/{access_request.pk}/decide/", {"decision": "approve"})
    assert staff.get(f"/risks/{risk.pk}/").status_code == 200
    assert _actions(risk)[-3:] == ["share.requested", "share.granted", "share.request_approved"]


def test_request_deny_gives_nothing(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    with schema_context("acme"):
        access_request = services.access_request_create(model=type(risk), object_id=risk.pk, requester=acme.staff)
    assert access_request is not None
    owner = acme.logged_in_client(acme.operations)
    owner.post(f"/sharing/requests/{access_request.pk}/decide/", {"decision": "deny"})
    assert acme.logged_in_client(acme.staff).get(f"/risks/{risk.pk}/").status_code == 404
    assert "share.request_denied" in _actions(risk)


def test_asking_for_a_missing_record_answers_the_same(acme):
    staff = acme.logged_in_client(acme.staff)
    response = staff.post("/sharing/risks.risk/999999/ask/", {"permission": "view"}, follow=True)
    assert "Your request has been sent to the owner." in response.content.decode()
    with schema_context("acme"):
        assert not AccessRequest.objects.exists()


@pytest.mark.parametrize("role", ["staff", "external", "auditor", "management"])
def test_only_the_owner_or_risk_managers_can_share(acme, make_risk, role):
    risk = make_risk(owner=acme.operations)
    client = acme.logged_in_client(getattr(acme, role))
    response = client.post(f"/sharing/risks.risk/{risk.pk}/share/", {"person": acme.external.pk, "permission": "view"})
    assert response.status_code == 404
    invalid = client.post(f"/sharing/risks.risk/{risk.pk}/share/", {"permission": "view"})
    assert invalid.status_code == 404
    with schema_context("acme"):
        assert not ShareGrant.objects.exists()


def test_external_sees_only_what_is_shared_with_them(acme, make_risk):
    shared, other = make_risk(owner=acme.ciso, title="Shared"), make_risk(owner=acme.ciso, title="Not shared")
    with schema_context("acme"):
        services.share_grant(obj=shared, by=acme.ciso, user=acme.external)
    client = acme.logged_in_client(acme.external)
    listing = client.get("/risks/").content.decode()
    assert shared.reference in listing and other.reference not in listing
    assert client.get(f"/risks/{other.pk}/").status_code == 404
    for page in ("/people/", "/audit/", "/people/invite/"):
        assert client.get(page).status_code == 404


def test_bad_share_input_is_refused_with_a_message_and_writes_nothing(acme, make_risk):
    risk = make_risk(owner=acme.operations)
    owner = acme.logged_in_client(acme.operations)
    past = owner.post(
        f"/sharing/risks.risk/{risk.pk}/share/",
        {"person": acme.staff.pk, "permission": "view", "until": "2000-01-01"},
        follow=True,
    )
    assert "The end date must be today or later." in past.content.decode()
    neither = owner.post(f"/sharing/risks.risk/{risk.pk}/share/", {"permission": "view"}, follow=True)
    assert "Choose one person or one role." in neither.content.decode()
    with schema_context("acme"):
        assert not ShareGrant.objects.exists()


def test_offboarding_revokes_shares_and_hands_over_risks(acme, make_risk):
    leaving = acme.operations
    owned = make_risk(owner=leaving)
    received = make_risk(owner=acme.ciso, title="Shared to the leaver")
    with schema_context("acme"):
        services.share_grant(obj=received, by=acme.ciso, user=leaving)
        services.share_grant(obj=owned, by=leaving, user=acme.staff)
        record = account_services.user_offboard(user=leaving, by=acme.admin, reassign_to=acme.security)
        owned.refresh_from_db()
        assert owned.owner == acme.security
        assert acme.security.has_perm("risks.change_risk", owned)
        assert not ShareGrant.objects.active().exists()
    steps = {item["step"]: item["count"] for item in record.checklist}
    assert steps["Shares revoked"] == 2
    assert steps["Records handed over"] == 1
