"""One-time invitation links reach only the invitee: with DEBUG off they are delivered over SMTP, never
written to the output or a log, and the Celery task that mails them carries the invitation's id only."""

import logging
import re
import subprocess
from email import message_from_bytes
from urllib.parse import urlsplit

from django_tenants.utils import schema_context

from accounts import tasks
from accounts.models import Invitation
from core.schemas import current_schema_name
from tests.support import PYTHON, ROOT, subprocess_env

LINK = re.compile(rb"https?://\S+/invitations/(\S+)/")


class _SMTPServer:
    """Stands in for smtplib.SMTP in Django's SMTP backend and keeps what it was given."""

    sent: list[bytes] = []

    def __init__(self, host: str, port: int, **kwargs: object) -> None:
        self.address = (host, port)

    def starttls(self, **kwargs: object) -> None:
        pass

    def login(self, user: str, password: str) -> None:
        pass

    def sendmail(self, from_addr: str, to_addrs: list[str], message: bytes) -> dict[str, object]:
        self.sent.append(message)
        return {}

    def quit(self) -> None:
        pass

    def close(self) -> None:
        pass


def _production_email_backend() -> str:
    """The e-mail backend the settings choose with DEBUG off and no EMAIL_BACKEND set (as in production)."""
    env = {key: value for key, value in subprocess_env().items() if key != "EMAIL_BACKEND"}
    result = subprocess.run(  # noqa: S603 — our own interpreter running a fixed snippet
        [PYTHON, "-c", "from django.conf import settings; print(settings.EMAIL_BACKEND)"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "isms.settings", "DEBUG": "0"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return result.stdout.strip()


def _invite(acme, captured_callbacks) -> None:
    admin = acme.logged_in_client(acme.admin)
    with captured_callbacks(execute=True):
        response = admin.post("/people/invite/", {"email": "nina@acme.example", "roles": ["Staff"]})
    assert response.status_code == 302


def test_an_invitation_sent_with_debug_off_is_delivered_and_reaches_no_log_or_output(
    acme, settings, caplog, capsys, monkeypatch, django_capture_on_commit_callbacks
):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = _production_email_backend()
    monkeypatch.setattr("django.core.mail.backends.smtp.smtplib.SMTP", _SMTPServer)
    monkeypatch.setattr(_SMTPServer, "sent", [])
    caplog.set_level(logging.DEBUG)

    _invite(acme, django_capture_on_commit_callbacks)

    assert len(_SMTPServer.sent) == 1
    delivered = message_from_bytes(_SMTPServer.sent[0])
    assert delivered["To"] == "nina@acme.example"
    body = delivered.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = LINK.search(body)
    assert found, delivered.get_payload()
    token = found.group(1).decode()
    output = capsys.readouterr()
    assert token not in output.out and token not in output.err
    logged = [record for record in caplog.records if token in record.getMessage() or token in repr(vars(record))]
    assert logged == []
    # The delivered link is the one that works.
    page = acme.client().get(urlsplit(found.group(0).decode()).path)
    assert page.status_code == 200


def test_the_invitation_task_carries_the_invitations_id_and_never_its_link(
    acme, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    queued: list[dict[str, object]] = []
    monkeypatch.setattr(
        tasks.invitation_send,
        "apply_async",
        lambda **message: queued.append({**message, "schema": current_schema_name()}),  # the schema it is sent for
    )

    _invite(acme, django_capture_on_commit_callbacks)

    with schema_context("acme"):
        invitation = Invitation.objects.get(email="nina@acme.example")
    assert queued == [{"args": (invitation.pk, acme.host), "schema": "acme"}]
    assert mailoutbox == []  # the worker sends it, not the web request
    # What the worker then mails is a working link that the message never contained.
    with schema_context(queued[0]["schema"]):
        assert tasks.invitation_send.apply(args=queued[0]["args"]).get() is True
    found = LINK.search(mailoutbox[0].body.encode())
    assert found is not None
    token = found.group(1).decode()
    assert token not in repr(queued)
    assert acme.client().get(f"/invitations/{token}/").status_code == 200


def test_the_task_sends_nothing_for_an_invitation_no_longer_pending(
    acme, mailoutbox, django_capture_on_commit_callbacks
):
    _invite(acme, django_capture_on_commit_callbacks)
    with schema_context("acme"):
        invitation = Invitation.objects.get(email="nina@acme.example")
        Invitation.objects.filter(pk=invitation.pk).update(revoked_at=invitation.created_at)
        assert tasks.invitation_send.apply(args=(invitation.pk, acme.host)).get() is False
    assert len(mailoutbox) == 1  # only the first, sent when it was created
