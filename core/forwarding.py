"""Forwarded headers (X-Forwarded-For/Host/Proto) count only when the direct peer is one of our own proxies.

Settings: ``ISMS_TRUSTED_PROXIES`` (addresses or networks of the reverse proxies; empty: none) and
``ISMS_PROXY_HOPS`` (how many of our proxies stand between the client and the application server).
Anyone can send these headers straight to the application server; from such a peer they are removed
before Django (``USE_X_FORWARDED_HOST``, ``SECURE_PROXY_SSL_HEADER``) or django-tenants read them.
"""

import ipaddress
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponse

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Headers through which a client could claim another address, host or scheme.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


def parse_address(value: str) -> IPAddress | None:
    """The address in ``value`` (zone such as "%eth0" dropped, which the inet column cannot hold), or None."""
    try:
        return ipaddress.ip_address(value.strip().split("%", 1)[0])
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def trusted_networks() -> tuple[IPNetwork, ...]:
    return _networks(tuple(getattr(settings, "ISMS_TRUSTED_PROXIES", ())))


def peer_is_trusted_proxy(request: HttpRequest) -> bool:
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    return peer is not None and any(peer in network for network in trusted_networks())


def client_address(request: HttpRequest) -> str | None:
    """The client's address: from X-Forwarded-For only behind a trusted proxy, counting the hops from the right.

    Each of our proxies appends the address it received the request from, so with N proxies the client is the
    N-th entry from the right; anything further left was written by the client and proves nothing. A header
    shorter than the configured chain gives no address (None), never a client-written one.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    if peer_is_trusted_proxy(request):
        chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        hops = max(1, int(getattr(settings, "ISMS_PROXY_HOPS", 1)))
        if not chain:
            address = parse_address(peer)
        elif len(chain) < hops:
            return None
        else:
            address = parse_address(chain[-hops])
    else:
        address = parse_address(peer)
    return str(address) if address is not None else None


class TrustedProxyMiddleware:
    """Place first: strips every forwarded header from a peer that is not one of our trusted proxies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not peer_is_trusted_proxy(request):
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)
