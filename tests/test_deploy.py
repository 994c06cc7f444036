"""The production shape (docker-compose.yml, deploy/Caddyfile): only the proxy reaches gunicorn, and it is trusted.

CI also validates both files with their own tools (``docker-compose config -q``, ``caddy adapt``).
"""

import re

from django.conf import settings

from tests.support import ROOT

COMPOSE = (ROOT / "docker-compose.yml").read_text()
CADDYFILE = (ROOT / "deploy" / "Caddyfile").read_text()
UNITS = {"B": 1, "KB": 1000, "MB": 1000**2, "KIB": 1024, "MIB": 1024**2}


def _block(text: str, header: str, indent: int) -> str:
    """The lines under ``header`` (at ``indent`` spaces) up to the next line as little indented."""
    lines = text.splitlines()
    start = lines.index(" " * indent + header)
    body = []
    for line in lines[start + 1 :]:
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            break
        body.append(line)
    return "\n".join(body)


def _address(service: str) -> str:
    match = re.search(
        r"proxy-web:\s*\n\s*ipv4_address: ([\d.]+)", _block(_block(COMPOSE, "services:", 0), f"{service}:", 2)
    )
    assert match, f"{service} has no fixed address on proxy-web"
    return match.group(1)


def test_gunicorn_publishes_no_port_and_listens_only_on_the_proxy_network_and_loopback():
    web = _block(_block(COMPOSE, "services:", 0), "web:", 2)
    assert "ports:" not in web
    binds = re.findall(r"- --bind\n\s*- ([\d.]+):8000", web)
    assert sorted(binds) == sorted([_address("web"), "127.0.0.1"])


def test_the_proxy_network_is_internal_and_only_the_proxy_publishes_ports():
    networks = _block(COMPOSE, "networks:", 0)
    assert "internal: true" in _block(networks, "proxy-web:", 2)
    services = _block(COMPOSE, "services:", 0)
    published = re.findall(r"^  (\S+):\n(?:(?!^  \S).*\n)*?    ports:", services + "\n", re.MULTILINE)
    assert published == ["proxy"]


def test_the_app_trusts_exactly_the_proxys_address_and_caddy_forwards_to_gunicorn():
    trusted = re.search(r"ISMS_TRUSTED_PROXIES: (\S+)", COMPOSE)
    assert trusted and trusted.group(1) == _address("proxy")
    assert f"reverse_proxy {_address('web')}:8000" in CADDYFILE


def test_the_proxy_caps_request_bodies_a_little_above_the_attachment_limit():
    default = re.search(r"max_size \{\$ISMS_MAX_REQUEST_BODY:(\d+)([A-Za-z]+)\}", CADDYFILE)
    assert default
    cap = int(default.group(1)) * UNITS[default.group(2).upper()]
    assert settings.INCIDENT_ATTACHMENT_MAX_BYTES < cap <= settings.INCIDENT_ATTACHMENT_MAX_BYTES * 1.2
    assert f"ISMS_MAX_REQUEST_BODY:-{default.group(1)}{default.group(2)}" in COMPOSE


def test_web_and_workers_log_in_as_the_app_role_and_never_hold_the_owners_or_admins_password():
    common = _block(COMPOSE, "x-app-env: &app-env", 0)
    assert re.search(r"DATABASE_URL: postgres://isms_app:", common)
    assert "DATABASE_OWNER_URL" not in common and "DATABASE_ADMIN_URL" not in common
    services = _block(COMPOSE, "services:", 0)
    for service in ("web", "worker", "beat"):
        block = _block(services, f"{service}:", 2)
        assert "OWNER_URL" not in block and "ADMIN_URL" not in block and "POSTGRES_PASSWORD" not in block, service
    # The owner's URL only where migrations, tenant creation and restores run; the superuser's only to make roles.
    assert "DATABASE_OWNER_URL" in _block(services, "migrate:", 2)
    assert "DATABASE_ADMIN_URL" in _block(services, "db-roles:", 2)
    assert "db_roles_create" in _block(services, "db-roles:", 2)
