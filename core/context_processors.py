"""Template context every page needs: which tenant this is and the navigation."""

from typing import Any

from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from accounts import twofactor

from .navigation import AREAS


def portal(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    is_public = tenant is None or tenant.schema_name == get_public_schema_name()
    user = getattr(request, "user", None)
    pending = bool(
        user is not None
        and user.is_authenticated
        and not getattr(user, "is_verified", lambda: False)()
        and twofactor.is_required(request, user)
    )
    return {
        "portal_two_factor_pending": pending,
        "portal_tenant": None if is_public else tenant,
        "portal_is_public": is_public,
        "portal_areas": AREAS,
    }
