"""With DEBUG off the portal refuses to start when e-mail would be written out instead of delivered
(isms.E001): one-time links would end up in logs. ``manage.py check``, gunicorn and Celery workers."""

import subprocess

import pytest

from tests.support import PYTHON, ROOT, subprocess_env

pytestmark = pytest.mark.slow

CONSOLE = "django.core.mail.backends.console.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SMTP_VARIABLES = (
    "EMAIL_BACKEND",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
)


def _run(*args: str, timeout: float = 120, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 — our own interpreter and fixed arguments, no shell
        [PYTHON, *args], cwd=ROOT, env=subprocess_env(**env), capture_output=True, text=True, timeout=timeout
    )


@pytest.mark.parametrize("backend", [CONSOLE, LOCMEM])
def test_check_refuses_a_backend_that_does_not_deliver_when_debug_is_off(backend):
    result = _run("manage.py", "check", DEBUG="0", EMAIL_BACKEND=backend)
    assert result.returncode != 0
    assert "(isms.E001)" in result.stderr and backend in result.stderr
    assert all(name in result.stderr for name in SMTP_VARIABLES)


def test_with_debug_off_the_default_backend_is_smtp_and_passes_the_check():
    env = {key: value for key, value in subprocess_env().items() if key != "EMAIL_BACKEND"}
    result = subprocess.run(  # noqa: S603 — our own interpreter and fixed arguments, no shell
        [
            PYTHON,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "isms.settings", "DEBUG": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend", result.stderr
    assert (
        _run("manage.py", "check", DEBUG="0", EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend").returncode
        == 0
    )


def test_the_console_backend_is_fine_in_development():
    result = _run("manage.py", "check", DEBUG="1", EMAIL_BACKEND=CONSOLE)
    assert result.returncode == 0, result.stderr
    assert "isms.E001" not in result.stdout + result.stderr


def test_gunicorn_refuses_to_load_the_application():
    result = _run("-c", "import isms.wsgi", DEBUG="0", EMAIL_BACKEND=CONSOLE)
    assert result.returncode != 0
    assert "ImproperlyConfigured: isms.E001" in result.stderr


def test_a_celery_worker_refuses_to_start():
    try:
        result = _run(
            "-m",
            "celery",
            "-A",
            "isms",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            timeout=60,
            DEBUG="0",
            EMAIL_BACKEND=CONSOLE,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("The worker started with the console e-mail backend.")
    assert result.returncode != 0
    assert "ImproperlyConfigured: isms.E001" in result.stderr
