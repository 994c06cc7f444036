"""Helpers for tests that start real processes against the test database."""

import os
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv").exists() else "python"


def database_url(params: Mapping[str, Any] | None = None) -> str:
    """URL of the database the tests run on (pytest-django's test database), as the app role
    or with the login in ``params``."""
    params = {**connection.settings_dict, **(params or {})}
    host = params.get("HOST") or params.get("OPTIONS", {}).get("host", "")
    user = urllib.parse.quote(params.get("USER") or "")
    password = urllib.parse.quote(params.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else f"{user}@"
    name = params["NAME"]
    if str(host).startswith("/"):
        return f"postgres://{auth}/{name}?host={host}"
    port = f":{params['PORT']}" if params.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{name}"


def subprocess_env(**overrides: str) -> dict[str, str]:
    """The test environment for a child process, pointed at the test database."""
    # Set for Playwright's event loop in the test process only; never for a server.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env["DATABASE_URL"] = database_url(settings.DATABASES["default"])
    for component, params in settings.DATABASE_ROLES.items():
        env[f"DATABASE_{component.upper()}_URL"] = database_url(params)
    # Servers and workers run with DEBUG off: they refuse the console backend (isms.E001) and must
    # not reach a real SMTP server; the dummy backend drops messages.
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"process exited with {process.returncode} before listening on {port}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


def stop(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
