"""Quality gates run with the suite: lint, format, types, migrations, deploy checks, translations."""

import gettext
import json
import re
import subprocess
import tomllib
from pathlib import Path

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
    # Production delivers e-mail over SMTP (console/locmem are refused with DEBUG off: isms.E001).
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "smtp.example.com",
    "ISMS_TRUSTED_PROXIES": "172.28.0.10",
}


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env or subprocess_env(), capture_output=True, text=True, timeout=600)  # noqa: S603 — the venv's own tools with fixed arguments, no shell


def test_ruff_lint_is_clean():
    result = _run(PYTHON, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_security_rule_is_ignored_globally_and_each_file_exception_says_why():
    """Ruff's bandit rules (S) stay on everywhere; an exception is a `# noqa: S… — reason` on its line,
    or a per-file ignore under a comment that explains it."""
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    lint = tomllib.loads(text)["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    assert [rule for rule in lint.get("ignore", []) if rule.startswith("S")] == []
    lines = text.splitlines()
    for pattern, rules in lint.get("per-file-ignores", {}).items():
        if any(rule.startswith("S") for rule in rules):
            index = next(i for i, line in enumerate(lines) if line.startswith(f'"{pattern}" ='))
            assert lines[index - 1].startswith("#"), f"per-file ignore of {pattern} without a comment saying why"


def test_every_inline_security_exception_gives_a_reason():
    skipped = {".venv", ".tools", ".data", "node_modules"}
    bare = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in ROOT.rglob("*.py")
        if not skipped & set(path.relative_to(ROOT).parts)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"noqa: S\d", line) and not re.search(r"noqa: S\d+(, S\d+)* (—|--) \S", line)
    ]
    assert bare == []


def test_make_sbom_writes_a_valid_cyclonedx_bom_of_the_locked_runtime_dependencies(tmp_path: Path):
    from cyclonedx.schema import OutputFormat, SchemaVersion
    from cyclonedx.validation import make_schemabased_validator

    sbom = tmp_path / "sbom.cdx.json"
    result = _run("make", "--no-print-directory", "sbom", f"SBOM={sbom}")
    assert result.returncode == 0, result.stdout + result.stderr
    text = sbom.read_text(encoding="utf-8")
    errors = make_schemabased_validator(OutputFormat.JSON, SchemaVersion.V1_6).validate_str(text)
    assert errors is None, errors
    bom = json.loads(text)
    assert (bom["bomFormat"], bom["specVersion"]) == ("CycloneDX", "1.6")
    assert bom["metadata"]["component"]["name"] == "isms-portal"
    locked = {
        package["name"]: package["version"]
        for package in tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))["package"]
    }
    listed = {component["name"]: component["version"] for component in bom["components"]}
    assert listed["django"] == locked["django"] and listed["cryptography"] == locked["cryptography"]
    assert f"pkg:pypi/django@{locked['django']}" in {component["purl"] for component in bom["components"]}
    assert {name: locked.get(name) for name in listed} == listed  # every version exactly as locked
    assert "pytest" not in listed and "cyclonedx-bom" not in listed  # the portal's, not the test tools'


def test_ruff_format_is_clean():
    result = _run(PYTHON, "-m", "ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_are_kept():
    """import-linter ([tool.importlinter] in pyproject.toml): the base apps never import a feature app, and
    the apps are layered, so no two apps import each other, directly or through others."""
    result = _run(
        PYTHON, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()", "--no-cache"
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert {contract["id"] for contract in contracts["contracts"]} >= {"base", "layers"}


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
