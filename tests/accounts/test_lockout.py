"""Five failed logins lock one account on one IP address for 15 minutes, per tenant, and are audited."""

import datetime as dt

from axes.models import AccessAttempt
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.models import User
from audit.models import AuditEvent
from tests.conftest import PASSWORD

WRONG = "not-the-right-password-at-all"
ATTACKER_IP = "203.0.113.66"
OTHER_IP = "198.51.100.2"
LOCKED = "Too many failed logins"
BAD_LOGIN = "Please enter a correct e-mail address and password"


def _login(world, email, password, ip=ATTACKER_IP):
    return world.client().post("/login/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def _fail(world, email, times, ip=ATTACKER_IP):
    return [_login(world, email, WRONG, ip).status_code for _ in range(times)]


def _is_locked_out(response):
    return response.status_code == 429 and LOCKED in response.content.decode()


def _is_logged_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def test_five_failures_lock_the_account_even_for_the_right_password(acme):
    for _ in range(4):
        response = _login(acme, acme.ciso.email, WRONG)
        assert response.status_code == 200
        assert BAD_LOGIN in response.content.decode()

    fifth = _login(acme, acme.ciso.email, WRONG)
    assert _is_locked_out(fifth)
    assert "locked on this network for 15 minutes" in fifth.content.decode()

    sixth = _login(acme, acme.ciso.email, PASSWORD)
    assert _is_locked_out(sixth)
    assert "_auth_user_id" not in sixth.client.session


def test_four_failures_do_not_lock_and_a_success_starts_the_count_again(acme):
    assert _fail(acme, acme.ciso.email, 4) == [200] * 4
    assert _is_logged_in(_login(acme, acme.ciso.email, PASSWORD))

    # The success reset the count: four more failures still leave the account open.
    assert _fail(acme, acme.ciso.email, 4) == [200] * 4
    assert _is_logged_in(_login(acme, acme.ciso.email, PASSWORD))


def test_lockout_does_not_touch_another_account_from_the_same_ip(acme):
    _fail(acme, acme.ciso.email, 5)
    assert _is_locked_out(_login(acme, acme.ciso.email, PASSWORD))

    assert _is_logged_in(_login(acme, acme.staff.email, PASSWORD))


def test_lockout_does_not_touch_the_same_account_from_another_ip(acme):
    _fail(acme, acme.ciso.email, 5)
    assert _is_locked_out(_login(acme, acme.ciso.email, PASSWORD))

    assert _is_logged_in(_login(acme, acme.ciso.email, PASSWORD, ip=OTHER_IP))


def test_the_email_in_another_case_counts_as_the_same_account(acme):
    for typed in (
        "CISO@acme.example",
        "Ciso@Acme.Example",
        "  ciso@ACME.EXAMPLE ",
        "ciso@acme.example",
        "CISO@ACME.EXAMPLE",
    ):
        _login(acme, typed, WRONG)

    assert _is_locked_out(_login(acme, "ciso@acme.example", PASSWORD))
    assert _is_locked_out(_login(acme, "CiSo@AcMe.ExAmPlE", PASSWORD))


def test_failures_older_than_15_minutes_no_longer_count(acme):
    _fail(acme, acme.ciso.email, 5)
    assert _is_locked_out(_login(acme, acme.ciso.email, PASSWORD))

    with schema_context(acme.tenant.schema_name):
        AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=16))

    assert _is_logged_in(_login(acme, acme.ciso.email, PASSWORD))


def test_failures_and_the_lockout_are_in_the_tenants_audit_trail(acme):
    _fail(acme, "CISO@acme.example", 5)

    with schema_context(acme.tenant.schema_name):
        failed = AuditEvent.objects.filter(action="auth.login_failed")
        assert failed.count() == 5
        assert set(failed.values_list("object_label", "ip", "kind")) == {
            ("ciso@acme.example", ATTACKER_IP, AuditEvent.Kind.SECURITY)
        }
        locked = AuditEvent.objects.get(action="auth.locked_out")
        assert locked.object_label == "ciso@acme.example"
        assert locked.ip == ATTACKER_IP
        assert locked.kind == AuditEvent.Kind.SECURITY
        # The password typed is never written down.
        assert all(WRONG not in str(event.changes) for event in AuditEvent.objects.all())


def test_lockout_in_one_tenant_does_not_lock_the_same_address_in_another(acme, globex):
    for world in (acme, globex):
        with schema_context(world.tenant.schema_name):
            User.objects.create_user("shared@person.example", PASSWORD)

    _fail(acme, "shared@person.example", 5)
    assert _is_locked_out(_login(acme, "shared@person.example", PASSWORD))

    assert _is_logged_in(_login(globex, "shared@person.example", PASSWORD))
    with schema_context(globex.tenant.schema_name):
        assert not AuditEvent.objects.filter(action__in=["auth.login_failed", "auth.locked_out"]).exists()


def test_locking_out_one_tenants_ciso_leaves_the_other_tenants_ciso_alone(acme, globex):
    _fail(acme, acme.ciso.email, 5)
    assert _is_locked_out(_login(acme, acme.ciso.email, PASSWORD))

    assert _is_logged_in(_login(globex, globex.ciso.email, PASSWORD))
