"""The unread-notification count shown in the header of every tenant page."""

from typing import Any

from django.http import HttpRequest
from django_tenants.utils import get_public_schema_name

from .models import Notification


def unread(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    user = getattr(request, "user", None)
    if tenant is None or tenant.schema_name == get_public_schema_name() or not (user and user.is_authenticated):
        return {"notifications_unread": 0}
    return {"notifications_unread": Notification.objects.filter(user=user, read_at=None).count()}
