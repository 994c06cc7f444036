from django.db import connection, transaction
from django.test.utils import override_settings
from django_tenants.utils import schema_context

import audit
from audit import context
from audit.models import AuditEvent
from audit.services import chain_verify


def test_probe(acme):
    with schema_context("acme"):
        e = AuditEvent.objects.order_by("id").first()
        print("first", e.pk, e.prev_hash[:8], e.action, AuditEvent.objects.count())
        for sql in ["UPDATE audit_auditevent SET action='x'", "DELETE FROM audit_auditevent", "TRUNCATE audit_auditevent"]:
            try:
                with transaction.atomic():
                    with connection.cursor() as c:
                        c.execute(sql)
            except Exception as err:
                print(type(err).__mro__, err)
        token = context.current.set(context.RequestContext("r1", "2001:0db8::0001", "ua"))
        try:
            ev = audit.record(actor=None, action="probe.v6")
        finally:
            context.current.reset(token)
        ev.refresh_from_db()
        print("ip", repr(ev.ip), chain_verify())


def test_probe_proxy(acme):
    c = acme.logged_in_client(acme.staff)
    with override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        r = c.get("/", HTTP_X_FORWARDED_FOR="not-an-ip")
        print(r.status_code)
