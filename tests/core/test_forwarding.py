"""Forwarded headers choose the tenant, the audited address and the lockout address only from a trusted proxy."""

from typing import Any

import pytest
from django.test import RequestFactory, override_settings
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from core.forwarding import FORWARDED_HEADERS, TrustedProxyMiddleware, client_address
from tests.conftest import PASSWORD

PROXY = "10.20.0.5"
ATTACKER = "198.51.100.66"
# Production settings (ISMS_BEHIND_PROXY): Django believes X-Forwarded-Host and -Proto, and the proxy is known.
BEHIND_PROXY = override_settings(
    USE_X_FORWARDED_HOST=True,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
    ISMS_TRUSTED_PROXIES=["10.20.0.0/29"],
    ISMS_PROXY_HOPS=1,
)


def _brand(response) -> str:
    return response.content.decode()


@BEHIND_PROXY
def test_a_forged_forwarded_host_from_an_untrusted_peer_does_not_choose_the_tenant(acme, globex):
    response = acme.client().get("/login/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_HOST=globex.host)
    assert response.status_code == 200
    assert "to Acme AB's ISMS portal" in _brand(response)
    assert "Globex" not in _brand(response)


@BEHIND_PROXY
def test_the_forwarded_host_from_the_trusted_proxy_chooses_the_tenant(acme, globex):
    response = acme.client().get("/login/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_HOST=globex.host)
    assert response.status_code == 200
    assert "to Globex Ltd's ISMS portal" in _brand(response)


@BEHIND_PROXY
def test_a_forged_forwarded_for_from_an_untrusted_peer_is_not_audited(acme):
    client = acme.logged_in_client(acme.staff)
    response = client.get("/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="203.0.113.1")
    assert response.status_code == 200
    with schema_context("acme"):
        assert AuditEvent.objects.get(request_id=response["X-Request-ID"], kind="access").ip == ATTACKER


@BEHIND_PROXY
def test_a_forged_forwarded_for_cannot_dodge_the_lockout(acme):
    for number in range(5):
        acme.client().post(
            "/login/",
            {"username": acme.staff.email, "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{number + 1}",
        )
    locked = acme.client().post(
        "/login/",
        {"username": acme.staff.email, "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR="203.0.113.99",
    )
    assert locked.status_code == 429
    with schema_context("acme"):
        assert set(AuditEvent.objects.filter(action="auth.login_failed").values_list("ip", flat=True)) == {ATTACKER}


@BEHIND_PROXY
def test_the_client_behind_the_trusted_proxy_is_audited_and_counted(acme):
    response = acme.logged_in_client(acme.staff).get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.7")
    with schema_context("acme"):
        assert AuditEvent.objects.get(request_id=response["X-Request-ID"], kind="access").ip == "203.0.113.7"


@pytest.mark.parametrize(
    "hops, forwarded_for, expected",
    [
        # The client wrote its own entries on the left; our proxies appended the rest.
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.20.0.4", "203.0.113.7"),
        (3, "203.0.113.7, 10.20.0.3, 10.20.0.4", "203.0.113.7"),
        # Shorter than the configured chain: no address rather than a client-written one.
        (3, "6.6.6.6, 10.20.0.4", None),
        (1, "not-an-address", None),
        # The proxy's own request (e.g. a health check) without the header: the proxy itself.
        (1, "", PROXY),
    ],
)
def test_the_client_is_counted_the_configured_hops_from_the_right(hops, forwarded_for, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)
    with override_settings(ISMS_TRUSTED_PROXIES=["10.20.0.0/29"], ISMS_PROXY_HOPS=hops):
        assert client_address(request) == expected


def test_without_trusted_proxies_the_peer_is_the_client():
    request = RequestFactory().get("/", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR="203.0.113.7")
    with override_settings(ISMS_TRUSTED_PROXIES=[]):
        assert client_address(request) == ATTACKER


@pytest.mark.parametrize("peer, kept", [(ATTACKER, False), (PROXY, True)])
def test_the_middleware_strips_forwarded_headers_from_untrusted_peers_only(peer, kept):
    headers: dict[str, Any] = {header: "https" for header in FORWARDED_HEADERS}
    request = RequestFactory().get("/", REMOTE_ADDR=peer, **headers)
    seen = {}

    def view(request):
        seen.update({header: header in request.META for header in FORWARDED_HEADERS})
        seen["secure"] = request.is_secure()

    with BEHIND_PROXY:
        TrustedProxyMiddleware(view)(request)
    assert seen == {**{header: kept for header in FORWARDED_HEADERS}, "secure": kept}
