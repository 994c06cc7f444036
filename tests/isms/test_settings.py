"""Secrets from mounted files (``<NAME>_FILE``): Docker secrets, Azure Key Vault's CSI driver."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from isms.settings.secrets import secret
from tests.support import ROOT

FILE_SECRET = "file-secret-key-0123456789abcdef-not-from-the-environment"
FILE_MASTER_KEY = "ZmlsZS1tYXN0ZXIta2V5LTMyLWJ5dGVzLWxvbmchISE="


def _settings(env: dict[str, str], *names: str) -> subprocess.CompletedProcess[str]:
    """Load the settings in a fresh interpreter with ``env`` and print the named settings, one a line."""
    overridden = ("SECRET_KEY", "ISMS_MASTER_KEY", "DATABASE_URL", "DJANGO_", "EMAIL_")
    base = {key: value for key, value in os.environ.items() if not key.startswith(overridden)}
    base.update({"DJANGO_SETTINGS_MODULE": "isms.settings", "DEBUG": "0", **env})
    code = "from django.conf import settings\n" + "".join(f"print({name})\n" for name in names)
    return subprocess.run(  # noqa: S603 — our own interpreter running a fixed snippet
        [sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60, check=False
    )


def test_settings_read_secret_key_and_master_key_from_files(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text(FILE_SECRET + "\n")
    (tmp_path / "master_key").write_text(FILE_MASTER_KEY + "\n")
    result = _settings(
        {"SECRET_KEY_FILE": str(tmp_path / "secret_key"), "ISMS_MASTER_KEY_FILE": str(tmp_path / "master_key")},
        "settings.SECRET_KEY",
        "settings.ISMS_MASTER_KEY",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [FILE_SECRET, FILE_MASTER_KEY]


def test_settings_read_database_url_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "database_url").write_text("postgres://app:p%40ss-from-file@db.internal:5432/isms\n")
    keys = {"SECRET_KEY": FILE_SECRET, "ISMS_MASTER_KEY": FILE_MASTER_KEY}
    result = _settings(
        {**keys, "DATABASE_URL_FILE": str(tmp_path / "database_url")},
        "settings.DATABASES['default']['HOST']",
        "settings.DATABASES['default']['PASSWORD']",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["db.internal", "p@ss-from-file"]


def test_settings_refuse_a_secret_set_both_ways(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text(FILE_SECRET)
    result = _settings(
        {"SECRET_KEY": "from-the-environment", "SECRET_KEY_FILE": str(tmp_path / "secret_key")}, "settings.SECRET_KEY"
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: Set either SECRET_KEY or SECRET_KEY_FILE, not both." in result.stderr
    assert FILE_SECRET not in result.stderr


def test_settings_refuse_a_missing_secret_file_naming_the_variable(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-secret"
    result = _settings({"SECRET_KEY_FILE": str(missing), "ISMS_MASTER_KEY": FILE_MASTER_KEY}, "settings.SECRET_KEY")
    assert result.returncode != 0
    assert f"ImproperlyConfigured: SECRET_KEY_FILE names '{missing}', which cannot be read" in result.stderr


def test_secret_prefers_nothing_and_strips_only_one_trailing_newline(tmp_path: Path) -> None:
    path = tmp_path / "password"
    path.write_text("  spaced secret \n\n")
    assert secret("EMAIL_HOST_PASSWORD", environ={"EMAIL_HOST_PASSWORD_FILE": str(path)}) == "  spaced secret \n"
    path.write_text("windows\r\n")
    assert secret("EMAIL_HOST_PASSWORD", environ={"EMAIL_HOST_PASSWORD_FILE": str(path)}) == "windows"
    assert secret("EMAIL_HOST_PASSWORD", "fallback", environ={}) == "fallback"
    assert secret("EMAIL_HOST_PASSWORD", "fallback", environ={"EMAIL_HOST_PASSWORD": ""}) == ""


def test_secret_refuses_an_unreadable_or_empty_file_name(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match=r"^REDIS_URL_FILE names .* cannot be read: Is a directory"):
        secret("REDIS_URL", environ={"REDIS_URL_FILE": str(tmp_path)})
    with pytest.raises(ImproperlyConfigured, match=r"^REDIS_URL_FILE is set but empty"):
        secret("REDIS_URL", environ={"REDIS_URL_FILE": ""})
