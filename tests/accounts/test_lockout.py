"""Five failed logins lock one account on one IP address for 15 minutes, per tenant, and are audited."""

import datetime as dt

from axes.models import AccessAttempt
from django.test import override_settings
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


# --- the lock of one account across addresses (accounts.lockout) ---------------------------------------------


def _fail_from_many_addresses(world, email, times):
    return [_login(world, email, WRONG, ip=f"192.0.2.{number + 1}").status_code for number in range(times)]


def _lock_ciso(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert _fail_from_many_addresses(acme, acme.ciso.email, 20) == [200] * 20


def test_twenty_failures_from_twenty_addresses_lock_the_account_on_every_address(
    acme, django_capture_on_commit_callbacks
):
    _lock_ciso(acme, django_capture_on_commit_callbacks)

    right = _login(acme, acme.ciso.email, PASSWORD, ip="198.51.100.250")
    assert _is_locked_out(right)
    assert "from several places" in right.content.decode()
    assert "_auth_user_id" not in right.client.session


def test_nineteen_failures_from_many_addresses_do_not_lock(acme):
    _fail_from_many_addresses(acme, acme.ciso.email, 19)

    assert _is_logged_in(_login(acme, acme.ciso.email, PASSWORD, ip="198.51.100.250"))


def test_the_account_lock_leaves_other_accounts_alone(acme, django_capture_on_commit_callbacks):
    _lock_ciso(acme, django_capture_on_commit_callbacks)

    assert _is_logged_in(_login(acme, acme.staff.email, PASSWORD, ip="192.0.2.1"))


def test_the_person_and_the_admins_are_told_in_app_and_by_mail_and_the_lock_is_audited(
    acme, django_capture_on_commit_callbacks, mailoutbox
):
    _lock_ciso(acme, django_capture_on_commit_callbacks)

    with schema_context(acme.tenant.schema_name):
        from notifications.models import Notification

        told = dict(Notification.objects.filter(kind="account_locked").values_list("user__email", "link"))
        locked = AuditEvent.objects.get(action="auth.account_locked")
        assert (locked.object_label, locked.kind) == (str(acme.ciso), AuditEvent.Kind.SECURITY)
        assert locked.changes["failures"] == [None, 20]
    assert told == {acme.ciso.email: "/profile/", acme.admin.email: f"/people/{acme.ciso.pk}/"}
    assert sorted(message.to[0] for message in mailoutbox) == sorted([acme.ciso.email, acme.admin.email])
    assert all("locked" in message.body for message in mailoutbox)


def test_an_admin_sees_the_lock_and_clears_it(acme, django_capture_on_commit_callbacks):
    _lock_ciso(acme, django_capture_on_commit_callbacks)
    admin = acme.logged_in_client(acme.admin)

    page = admin.get(f"/people/{acme.ciso.pk}/").content.decode()
    assert "Account locked" in page and "Locked after 20 failed logins" in page
    listed = admin.get("/people/?q=ciso").content.decode()
    assert ">Locked</span>" in listed

    assert admin.post(f"/people/{acme.ciso.pk}/unlock/").status_code == 302
    assert "Account locked" not in admin.get(f"/people/{acme.ciso.pk}/").content.decode()
    assert ">Locked</span>" not in admin.get("/people/?q=ciso").content.decode()
    # The failures before the unlock do not count again: one more does not lock at once.
    assert _fail_from_many_addresses(acme, acme.ciso.email, 1) == [200]
    assert _is_logged_in(_login(acme, acme.ciso.email, PASSWORD, ip="198.51.100.250"))
    with schema_context(acme.tenant.schema_name):
        assert AuditEvent.objects.get(action="auth.account_unlocked").actor_id == acme.admin.pk


def test_only_those_who_manage_people_may_clear_a_lock(acme, django_capture_on_commit_callbacks):
    _lock_ciso(acme, django_capture_on_commit_callbacks)

    assert acme.logged_in_client(acme.staff).post(f"/people/{acme.ciso.pk}/unlock/").status_code == 404
    assert _is_locked_out(_login(acme, acme.ciso.email, PASSWORD, ip="198.51.100.250"))


def test_the_lock_ends_after_the_cool_off(acme, django_capture_on_commit_callbacks):
    from accounts.models import AccountLock

    _lock_ciso(acme, django_capture_on_commit_callbacks)
    with schema_context(acme.tenant.schema_name):
        AccountLock.objects.update(
            locked_at=timezone.now() - dt.timedelta(minutes=61), until=timezone.now() - dt.timedelta(minutes=1)
        )

    assert _is_logged_in(_login(acme, acme.ciso.email, PASSWORD, ip="198.51.100.250"))


@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"), ISMS_TRUSTED_PROXIES=["172.18.0.5"])
def test_lockout_behind_the_proxy_counts_the_client_not_the_proxy(acme):
    proxy = {"REMOTE_ADDR": "172.18.0.5", "HTTP_X_FORWARDED_PROTO": "https"}
    attacker = acme.client()
    for _ in range(5):
        attacker.post(
            "/login/", {"username": acme.staff.email, "password": "wrong"}, HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy
        )
    locked = attacker.post(
        "/login/", {"username": acme.staff.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.66", **proxy
    )
    assert locked.status_code == 429
    owner = acme.client().post(
        "/login/", {"username": acme.staff.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy
    )
    assert owner.status_code == 302
