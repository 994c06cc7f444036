"""Rules of the code's shape that a reviewer would otherwise have to remember.

Every access decision lives in an app's ``policies.py`` (built on ``core.policies.BasePolicy``); the role
names live in ``accounts/roles.py``. Services, views, forms, selectors, template tags, tasks and the rest
ask the policy; they never call ``has_perm``, filter a user's groups or compare role names themselves.
Services name what they change: none takes ``**fields`` to ``setattr`` whatever it is given.
"""

import ast
import importlib
import re
from pathlib import Path

import pytest

from tests.support import ROOT

SKIPPED_PARTS = {".venv", ".tools", ".data", "node_modules", "tests", "migrations"}
ALLOWED = {"accounts/roles.py"}

ROLE_NAMES = "Admin|CISO|Security|Operations|Management|Staff|Auditor|External"
FORBIDDEN = {
    "has_perm(": re.compile(r"\bhas_perm\("),
    "groups.filter(": re.compile(r"\bgroups\.filter\("),
    "role name compared": re.compile(
        rf"""(==|!=)\s*["']({ROLE_NAMES})["']"""
        rf"""|["']({ROLE_NAMES})["']\s*(==|!=|in\b|not\s+in\b)"""
        r"""|\bRole\.[A-Z_]+\s*(==|!=|in\b|not\s+in\b)"""
        r"""|(==|!=)\s*Role\.[A-Z_]+"""
        r"""|\bin\s*[\(\[{]\s*Role\.[A-Z_]+"""
    ),
}


def _modules() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not SKIPPED_PARTS & set(path.relative_to(ROOT).parts) and not path.name.startswith("test_")
    )


def _allowed(relative: str) -> bool:
    return relative in ALLOWED or relative.endswith("/policies.py")


def _offences(paths: list[Path]) -> list[str]:
    found = []
    for path in paths:
        relative = path.relative_to(ROOT).as_posix()
        if _allowed(relative):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            code = line.split("#", 1)[0]
            for name, pattern in FORBIDDEN.items():
                if pattern.search(code):
                    found.append(f"{relative}:{number}: {name}: {line.strip()}")
    return found


def test_the_walk_covers_services_views_forms_selectors_and_template_tags():
    names = {path.relative_to(ROOT).as_posix() for path in _modules()}
    for expected in (
        "reviews/services.py",
        "risks/analyses.py",
        "incidents/views/log.py",
        "accounts/services.py",
        "reviews/selectors.py",
        "incidents/forms.py",
        "controls/templatetags/soa.py",
        "core/http.py",
    ):
        assert expected in names
    assert not any("/migrations/" in name or name.startswith("tests/") for name in names)


@pytest.mark.parametrize(
    "line",
    [
        'if by.has_perm("reviews.change_reviewmeeting"):',
        'admins = User.objects.filter(groups__name="Admin") if u.groups.filter(name="CISO") else []',
        'if group.name == "CISO":',
        "if Role.CISO in roles and analysis.ciso_signed_by_id is None:",
        'if "Admin" in user.role_names:',
        "allowed = role in (Role.ADMIN, Role.CISO)",
        "if user == by and Role.ADMIN in before and Role.ADMIN not in roles:",
    ],
)
def test_the_rule_recognises_an_access_decision_made_outside_a_policy(tmp_path, line):
    module = ROOT / "reviews" / "_architecture_probe.py"
    try:
        module.write_text(line + "\n", encoding="utf-8")
        assert _offences([module]), line
    finally:
        module.unlink()


def test_no_access_decision_outside_the_policies():
    """has_perm, group lookups and role-name comparisons appear only in policies.py and accounts/roles.py."""
    assert _offences(_modules()) == []


POLICY_MODULES = sorted(path for path in ROOT.glob("*/policies.py") if path.parent.name != "core")


@pytest.mark.parametrize("path", POLICY_MODULES, ids=lambda path: path.parent.name)
def test_every_policy_builds_on_the_base_policy(path):
    """One place for "signed in and active", roles and permissions: no app keeps its own copy."""
    from core.policies import BasePolicy

    module = importlib.import_module(f"{path.parent.name}.policies")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    classes = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    assert classes
    for name in classes:
        assert issubclass(getattr(module, name), BasePolicy), name
    assert "def _active(" not in path.read_text(encoding="utf-8")


def test_no_service_takes_arbitrary_fields():
    """A write names what it changes (keyword-only, typed): no service takes ``**fields`` and sets whatever
    it is given."""
    found = []
    for path in _modules():
        relative = path.relative_to(ROOT).as_posix()
        if not _is_service_module(relative):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and node.args.kwarg is not None:
                found.append(f"{relative}:{node.lineno} {node.name}(**{node.args.kwarg.arg})")
    assert found == []


def _is_service_module(relative: str) -> bool:
    """The write modules: ``services.py``, a ``services/`` package, and the apps' other write modules."""
    return (
        "services" in relative.split("/")[-1]
        or "/services/" in relative
        or relative.endswith(("risks/analyses.py", "risks/imports.py"))
    )
