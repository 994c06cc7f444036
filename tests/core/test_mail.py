"""E-mail asked for in a web request leaves through the worker's task, for the tenant it was asked in."""

from django_tenants.utils import schema_context

from core.models import TaskRun
from core.tasks import email_send


def test_mail_asked_for_in_a_request_is_sent_by_the_worker_not_the_request(
    acme, make_risk, mailoutbox, sent, django_capture_on_commit_callbacks
):
    risk = make_risk(owner=acme.operations)
    with django_capture_on_commit_callbacks(execute=True):
        acme.logged_in_client(acme.staff).post(f"/sharing/risks.risk/{risk.pk}/ask/", {"permission": "view"})

    assert mailoutbox == []  # no SMTP in the request
    [message] = [message for message in sent if message["task"] == "core.tasks.email_send"]
    assert message["headers"]["_schema_name"] == "acme"

    with schema_context(message["headers"]["_schema_name"]):  # what the worker does with it
        email_send.apply(args=message["args"], throw=True)
        assert TaskRun.objects.filter(task="core.tasks.email_send", status="succeeded").count() == 1
    assert [mail.to for mail in mailoutbox] == [[acme.operations.email]]
    assert "asks for access" in mailoutbox[0].subject
