"""Quality gates run with the suite: lint, format, types, migrations, deploy checks, translations."""

import gettext
import re
import subprocess

import pytest

from tests.support import PYTHON, ROOT, subprocess_env

pytestmark = pytest.mark.slow

PRODUCTION_ENV = {
    "DEBUG": "0",
    "ISMS_HTTPS": "1",
    "SECRET_KEY": "k3v!Zq9#pL2@wX8$rT5^mN1&bH7*dF4(jS6)yC0_aE9+uG3=oI8-lK2~",
    "ISMS_MASTER_KEY": "bHJ5OGZ6b3Bxd3J0eXVpb3Bhc2RmZ2hqa2x6eGN2Ym4=",
    "BASE_DOMAIN": "isms.example.com",
    "ISMS_BEHIND_PROXY": "1",
    "ISMS_TRUSTED_PROXIES": "172.28.0.10",
}


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env or subprocess_env(), capture_output=True, text=True, timeout=600)


def test_ruff_lint_is_clean():
    result = _run(PYTHON, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _run(PYTHON, "-m", "ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_is_clean(django_db_setup):
    result = _run(PYTHON, "-m", "mypy", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_model_change_lacks_a_migration(django_db_setup):
    result = _run(PYTHON, "manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_is_clean_with_production_settings(django_db_setup):
    result = _run(
        PYTHON,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=subprocess_env(**PRODUCTION_ENV),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secrets(django_db_setup):
    env = subprocess_env(**PRODUCTION_ENV)
    for name in ("SECRET_KEY", "ISMS_MASTER_KEY"):
        without = {key: value for key, value in env.items() if key != name}
        result = _run(PYTHON, "manage.py", "check", env=without)
        assert result.returncode != 0
        assert f"{name} must be set in the environment" in result.stderr


def test_swedish_translation_is_complete_and_compiled():
    po = (ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    entries = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', po, flags=re.MULTILINE)
    assert entries and all(msgstr for _, msgstr in entries), [m for m, s in entries if not s]
    with (ROOT / "locale" / "sv" / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        catalog = gettext.GNUTranslations(mo)
    stale = [msgid for msgid, msgstr in entries if catalog.gettext(_unescape(msgid)) != _unescape(msgstr)]
    assert stale == [], "django.mo is stale: run `manage.py compilemessages -l sv`"


def _unescape(text: str) -> str:
    return text.replace('\\"', '"').replace("\\n", "\n")
