"""Granting, revoking, expiring and requesting access to records. Every step is audited."""

import datetime as dt
from typing import Any

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import audit
from accounts.models import User
from core.mail import email_queue

from . import registry
from .models import AccessRequest, Permission, ShareGrant


def _policy(obj: models.Model) -> registry.SharingPolicy:
    policy = registry.policy_for(type(obj))
    if policy is None:
        raise ValidationError(_("This kind of record cannot be shared."))
    return policy


def _share_changes(grant: ShareGrant) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {
        "grantee": [None, grant.grantee_user.email if grant.grantee_user else f"role:{grant.grantee_role}"],
        "permission": [None, grant.permission],
    }
    if grant.expires_at:
        changes["until"] = [None, grant.expires_at.isoformat()]
    return changes


@transaction.atomic
def share_grant(
    *,
    obj: models.Model,
    by: User,
    user: User | None = None,
    role: Group | None = None,
    permission: str = Permission.VIEW,
    expires_at: dt.datetime | None = None,
) -> ShareGrant:
    policy = _policy(obj)
    if not policy.can_share(by, obj):
        raise PermissionDenied
    if (user is None) == (role is None):
        raise ValidationError(_("Share with either one person or one role."))
    if permission not in Permission.values:
        raise ValidationError(_("Unknown access level."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("The end date must be in the future."))
    if user is not None and (not user.is_active or user == policy.owner_of(obj)):
        raise ValidationError(_("Share with another active person."))
    grant = ShareGrant.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        grantee_user=user,
        grantee_role=role,
        permission=permission,
        expires_at=expires_at,
        granted_by=by,
    )
    audit.record(actor=by, action="share.granted", obj=obj, changes=_share_changes(grant))
    return grant


@transaction.atomic
def share_revoke(*, grant: ShareGrant, by: User) -> None:
    obj = grant.content_type.get_object_for_this_type(pk=grant.object_id)
    if not _policy(obj).can_share(by, obj):
        raise PermissionDenied
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.revoked_by = by
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(actor=by, action="share.revoked", obj=obj, changes={"grantee": [grant.grantee_label, None]})


@transaction.atomic
def shares_expire() -> int:
    """Record in the audit trail every grant that has run out (access already ends at expiry)."""
    now = timezone.now()
    expired = ShareGrant.objects.select_for_update().filter(
        revoked_at=None, expires_at__lte=now, expiry_recorded_at=None
    )
    count = 0
    for grant in expired:
        obj = grant.content_type.get_object_for_this_type(pk=grant.object_id)
        audit.record(
            actor=None,
            actor_label="system",
            action="share.expired",
            obj=obj,
            changes={"grantee": [grant.grantee_label, None]},
        )
        grant.expiry_recorded_at = now
        grant.save(update_fields=["expiry_recorded_at"])
        count += 1
    return count


def shares_revoke_for_user(user: User) -> int:
    """Offboarding: end every grant to this person and every grant they made."""
    now = timezone.now()
    grants = ShareGrant.objects.active().filter(models.Q(grantee_user=user) | models.Q(granted_by=user))
    count = 0
    for grant in grants:
        grant.revoked_at = now
        grant.save(update_fields=["revoked_at"])
        obj = grant.content_type.get_object_for_this_type(pk=grant.object_id)
        audit.record(
            actor=None,
            actor_label="offboarding",
            action="share.revoked",
            obj=obj,
            changes={"grantee": [grant.grantee_label, None]},
        )
        count += 1
    return count


@transaction.atomic
def access_request_create(
    *, model: type[models.Model], object_id: int, requester: User, permission: str = Permission.VIEW, message: str = ""
) -> AccessRequest | None:
    """Ask the owner for access. Answers the same whether or not the record exists (no probing)."""
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None:
        return None
    policy = _policy(obj)
    if permission not in Permission.values:
        raise ValidationError(_("Unknown access level."))
    content_type = ContentType.objects.get_for_model(model)
    pending = AccessRequest.objects.filter(
        content_type=content_type, object_id=object_id, requester=requester, status=AccessRequest.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    request = AccessRequest.objects.create(
        content_type=content_type,
        object_id=object_id,
        requester=requester,
        permission=permission,
        message=message[:500],
    )
    audit.record(actor=requester, action="share.requested", obj=obj, changes={"permission": [None, permission]})
    owner = policy.owner_of(obj)
    if owner is not None and owner.email:
        email_queue(
            subject=_("%(person)s asks for access to %(record)s") % {"person": requester, "record": obj},
            body=_("Open the record to approve or deny: %(path)s") % {"path": registry.record_url(obj)},
            recipients=[owner.email],
        )
    return request


@transaction.atomic
def access_request_decide(
    *, request: AccessRequest, by: User, approve: bool, expires_at: dt.datetime | None = None
) -> AccessRequest:
    obj = request.content_type.get_object_for_this_type(pk=request.object_id)
    if not _policy(obj).can_share(by, obj):
        raise PermissionDenied
    if request.status != AccessRequest.Status.PENDING:
        raise ValidationError(_("This request has been answered already."))
    if approve:
        request.grant = share_grant(
            obj=obj, by=by, user=request.requester, permission=request.permission, expires_at=expires_at
        )
    request.status = AccessRequest.Status.APPROVED if approve else AccessRequest.Status.DENIED
    request.decided_by = by
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at", "grant"])
    audit.record(
        actor=by,
        action="share.request_approved" if approve else "share.request_denied",
        obj=obj,
        changes={"requester": [None, request.requester.email]},
    )
    return request
