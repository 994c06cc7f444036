"""Template context every page needs: which tenant this is and the navigation (accounts adds the 2FA flag)."""

from typing import Any

from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from .navigation import areas


def portal(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or tenant.schema_name == get_public_schema_name()
    return {
        "portal_tenant": None if is_public else tenant,
        "portal_is_public": is_public,
        "portal_areas": areas(),
    }
