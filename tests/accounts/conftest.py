"""Fixtures of the account tests."""

import pytest


@pytest.fixture(autouse=True)
def _tasks_run_at_once(tasks_run_at_once: None) -> None:
    """Invitation and lockout e-mail go through Celery tasks: run them in the test, as a worker would."""


@pytest.fixture
def invite(acme, mailoutbox, django_capture_on_commit_callbacks):
    """Invite through the admin's form, as a person would; returns the link from the e-mail."""
    from tests.accounts.invitations import link_in

    admin = acme.logged_in_client(acme.admin)

    def send(email, roles, full_name=""):
        sent_before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            response = admin.post("/people/invite/", {"email": email, "full_name": full_name, "roles": roles})
        assert response.status_code == 302, response.content.decode()
        assert response["Location"] == "/people/"
        assert len(mailoutbox) == sent_before + 1
        return link_in(mailoutbox[-1].body)

    return send
