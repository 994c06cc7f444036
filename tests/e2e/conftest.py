"""Browser journeys: a real gunicorn serving the test database, driven by Debian's Chromium."""

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

from tenants import demo
from tests.support import PYTHON, ROOT, free_port, stop, subprocess_env, wait_for_port

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's sync API keeps an event loop in the test thread; Django's ORM (used by the
# fixtures, never concurrently with the browser) would otherwise refuse to run.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    assert CHROMIUM.exists(), "Browser tests need Debian's chromium at /usr/bin/chromium (.ci/run installs it)."
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def portal(django_db_setup, django_db_blocker) -> Iterator[str]:
    """Base address of a running portal (port only; hosts are <slug>.localhost) with the demo tenant."""
    with django_db_blocker.unblock():
        demo.demo_tenant_ensure()
        # With Playwright's loop running, the ORM may have opened a context-local connection
        # that would outlive the session and block dropping the test database.
        connections.close_all()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 — our own interpreter and fixed arguments, no shell
        [
            PYTHON,
            "-m",
            "gunicorn",
            "isms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=subprocess_env(),
    )
    try:
        wait_for_port(port, server)
        yield f"localhost:{port}"
    finally:
        stop(server)
