"""Absolute links to a host of the portal, for e-mails and console output."""

from django.conf import settings


def absolute_url(host: str, path: str) -> str:
    scheme = "https" if settings.HTTPS else "http"
    port = f":{settings.PUBLIC_PORT}" if settings.PUBLIC_PORT else ""
    return f"{scheme}://{host}{port}{path}"
