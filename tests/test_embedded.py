"""The first README command's path: no services configured, embedded PostgreSQL, demo tenant, Ctrl-C."""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.support import PYTHON, ROOT, free_port, wait_for_port

pytestmark = pytest.mark.slow

SERVICE_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "AZURE_STORAGE_CONNECTION_STRING",
    "SECRET_KEY",
    "ISMS_MASTER_KEY",
)


def test_rundev_without_services_serves_the_demo_tenant_and_stops_on_ctrl_c(tmp_path: Path):
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    env.update(DEBUG="1", ISMS_HTTPS="0", ISMS_DATA_DIR=str(tmp_path / "data"))
    port = free_port()
    log = (tmp_path / "rundev.log").open("w+")
    process = subprocess.Popen(  # noqa: S603 — our own interpreter and fixed arguments, no shell
        [PYTHON, "manage.py", "rundev", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port, process, timeout=180)
        session = requests.Session()
        login_page = session.get(f"http://127.0.0.1:{port}/login/", headers={"Host": "demo.localhost"})
        assert login_page.status_code == 200
        assert "Demo Cloud AB" in login_page.text
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text)
        assert match
        token = match.group(1)
        dashboard = session.post(
            f"http://127.0.0.1:{port}/login/",
            data={
                "csrfmiddlewaretoken": token,
                "username": "staff@demo.example",
                "password": "demo-isms-2026",
                "next": "",
            },
            headers={"Host": "demo.localhost", "Referer": f"http://demo.localhost:{port}/login/"},
        )
        assert dashboard.status_code == 200
        assert "Welcome, Stina" in dashboard.text
        risks = session.get(f"http://127.0.0.1:{port}/risks/", headers={"Host": "demo.localhost"}).text
        assert "Personal data sent to the wrong customer" in risks  # her own demo risk
        assert "Ransomware encrypts production databases" in risks  # shared with her
        assert "Phishing leads to a compromised admin account" not in risks

        _wait_for_output(log, "Press Ctrl-C to stop.")
        output = _read(log)
        assert f"http://demo.localhost:{port}/" in output
        assert "ciso@demo.example" in output and "demo-isms-2026" in output
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        process.wait(timeout=60)
        print(_read(log))  # shown by pytest if the test fails
    assert "Stopped web server, worker and beat." in _read(log)
    pgdata = tmp_path / "data" / "pg"
    deadline = time.monotonic() + 20
    while (pgdata / "postmaster.pid").exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not (pgdata / "postmaster.pid").exists(), "the embedded PostgreSQL kept running"


def _read(log) -> str:
    log.flush()
    log.seek(0)
    return str(log.read())


def _wait_for_output(log, text: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while text not in _read(log):
        if time.monotonic() > deadline:
            raise AssertionError(f"{text!r} not printed; output:\n{_read(log)}")
        time.sleep(0.3)
