"""One-time links never reach a log: Django's own log lines and gunicorn's access log blank their tokens."""

import contextlib
import io
import logging
import re
import subprocess
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.log_redaction import OneTimeLinkFilter, redact
from tests.support import PYTHON, ROOT, free_port, stop, subprocess_env, wait_for_port

INVITATION_TOKEN = "Zx8-invitation-token-that-opens-an-account"
RESET_TOKEN = "cz5k0q-4f1e2d3c4b5a69788796a5b4c3d2e1f0"


@contextlib.contextmanager
def _console_output() -> Iterator[io.StringIO]:
    """What the portal's configured console handler (settings.LOGGING) writes."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(found, OneTimeLinkFilter) for found in handler.filters)
    )
    assert isinstance(handler, logging.StreamHandler)
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_a_not_found_warning_for_an_invitation_link_is_logged_without_its_token(acme):
    with _console_output() as output:
        response = acme.client().get(f"/invitations/{INVITATION_TOKEN}/")
    assert response.status_code == 404
    assert "Not Found: /invitations/[redacted]/" in output.getvalue()
    assert INVITATION_TOKEN not in output.getvalue()


@pytest.mark.parametrize(
    "line, logged",
    [
        (f"GET /invitations/{INVITATION_TOKEN}/ HTTP/1.1", "GET /invitations/[redacted]/ HTTP/1.1"),
        (f"https://acme.example/invitations/{INVITATION_TOKEN}/", "https://acme.example/invitations/[redacted]/"),
        (f"/accounts/set-password/MTI/{RESET_TOKEN}/", "/accounts/set-password/MTI/[redacted]/"),
        ("/accounts/set-password/MTI/choose/", "/accounts/set-password/MTI/choose/"),
        ("POST /people/invitations/12/revoke/", "POST /people/invitations/12/revoke/"),
    ],
)
def test_tokens_are_blanked_and_nothing_else(line, logged):
    assert redact(line) == logged


@pytest.mark.slow
def test_gunicorns_access_log_blanks_tokens_in_the_request_line_and_referer(worlds):
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        access_log = Path(tmp) / "access.log"
        server = subprocess.Popen(  # noqa: S603 — our own interpreter and fixed arguments, no shell
            [
                PYTHON,
                "-m",
                "gunicorn",
                "isms.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--access-logfile",
                str(access_log),
                *_production_logger_class(),
            ],
            cwd=ROOT,
            env=subprocess_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            wait_for_port(port, server)
            for path, referer in (
                (f"/invitations/{INVITATION_TOKEN}/", ""),
                (
                    "/accounts/set-password/MTI/choose/",
                    f"http://acme.localhost/accounts/set-password/MTI/{RESET_TOKEN}/",
                ),
            ):
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}{path}", headers={"Host": "acme.localhost", "Referer": referer}
                )
                with contextlib.suppress(urllib.error.HTTPError):
                    urllib.request.urlopen(request, timeout=30).close()  # noqa: S310 — our own local server
        finally:
            stop(server)
            errors = server.stderr.read().decode() if server.stderr else ""
        logged = access_log.read_text()
    assert "GET /invitations/[redacted]/ HTTP/1.1" in logged
    assert "/accounts/set-password/MTI/[redacted]/" in logged  # the referer
    assert INVITATION_TOKEN not in logged + errors and RESET_TOKEN not in logged + errors


def _production_logger_class() -> list[str]:
    """The --logger-class argument exactly as the image and docker-compose.yml start gunicorn."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    line = next(line for line in dockerfile.splitlines() if '"gunicorn", "isms.wsgi:application"' in line)
    assert '"--logger-class", "isms.gunicorn.Logger"' in line, "the image starts gunicorn without it"
    # docker-compose.yml writes the web command as a YAML list, one argument a line.
    compose = (ROOT / "docker-compose.yml").read_text()
    assert re.search(
        r"- isms\.wsgi:application\n(\s*- .*\n)*?\s*- --logger-class\n\s*- isms\.gunicorn\.Logger\n", compose
    ), "docker-compose.yml starts gunicorn without it"
    return ["--logger-class", "isms.gunicorn.Logger"]
