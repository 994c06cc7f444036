"""What django-axes counts failures against: the e-mail address as the person typed it, normalised."""

from typing import Any

from django.http import HttpRequest


def username_from_request(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()
