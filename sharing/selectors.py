"""Reads of grants and requests, as subqueries that keep list pages at a fixed number of queries."""

from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet

from .models import AccessRequest, Permission, ShareGrant


def shared_object_ids(user: Any, model: type[models.Model], *, change: bool = False) -> QuerySet[Any, Any]:
    """ids of ``model`` records that active grants open to ``user`` (directly or through a role)."""
    grants = ShareGrant.objects.active().filter(content_type=ContentType.objects.get_for_model(model))
    grants = grants.filter(Q(grantee_user=user) | Q(grantee_role__in=user.groups.all()))
    if change:
        grants = grants.filter(permission=Permission.CHANGE)
    return grants.values("object_id")


def grants_for(obj: models.Model) -> QuerySet[ShareGrant]:
    return ShareGrant.objects.for_record(obj).active().select_related("grantee_user", "grantee_role", "granted_by")


def requests_pending_for(obj: models.Model) -> QuerySet[AccessRequest]:
    return AccessRequest.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, status=AccessRequest.Status.PENDING
    ).select_related("requester")


def access_reasons(obj: models.Model, owner: Any) -> list[dict[str, Any]]:
    """Who can see this record and why: roles, owner, object permissions and shares."""
    from django.contrib.auth.models import Group
    from guardian.shortcuts import get_groups_with_perms, get_users_with_perms

    meta = obj._meta
    view = f"view_{meta.model_name}"
    reasons: list[dict[str, Any]] = []
    roles = Group.objects.filter(permissions__content_type__app_label=meta.app_label, permissions__codename=view)
    for role in roles.order_by("name"):
        reasons.append({"who": role.name, "why": "role", "permission": "view"})
    if owner is not None:
        reasons.append({"who": str(owner), "why": "owner", "permission": "change"})
    users = cast(dict[Any, list[str]], get_users_with_perms(obj, attach_perms=True, with_group_users=False))
    for user, perms in users.items():
        if user != owner and view in perms:
            reasons.append({"who": str(user), "why": "object", "permission": "change" if len(perms) > 1 else "view"})
    groups = cast(dict[Any, list[str]], get_groups_with_perms(obj, attach_perms=True))
    for group, perms in groups.items():
        if view in perms:
            reasons.append({"who": group.name, "why": "object", "permission": "view"})
    for grant in grants_for(obj):
        reasons.append(
            {
                "who": grant.grantee_label,
                "why": "share",
                "permission": grant.permission,
                "grant": grant,
                "until": grant.expires_at,
                "by": grant.granted_by,
            }
        )
    return reasons
