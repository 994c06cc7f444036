"""Reads on accounts, already filtered by what the reader may see."""

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from .models import AccountLock, Invitation, OffboardingRecord, User
from .policies import people_policy


def people_visible_to(reader: Any, *, q: str = "", role: str = "", status: str = "") -> QuerySet[User]:
    if not people_policy.can_view(reader):
        return User.objects.none()
    active_lock = AccountLock.objects.filter(user=OuterRef("pk"), cleared_at=None, until__gt=timezone.now())
    people = (
        User.objects.prefetch_related("groups")
        .annotate(is_locked=Exists(active_lock))  # shown on the people page; an Admin clears it on the person's
        .order_by("full_name", "email")
    )
    if q:
        people = people.filter(Q(email__icontains=q) | Q(full_name__icontains=q))
    if role:
        people = people.filter(groups__name=role)
    if status == "active":
        people = people.filter(is_active=True)
    elif status == "inactive":
        people = people.filter(is_active=False)
    return people


def person_for(reader: Any, pk: int) -> User | None:
    return people_visible_to(reader).filter(pk=pk).first()


def invitations_pending_for(reader: Any) -> QuerySet[Invitation]:
    if not people_policy.can_manage(reader):
        return Invitation.objects.none()
    return Invitation.objects.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()).select_related(
        "invited_by"
    )


def offboarding_for(reader: Any, pk: int) -> OffboardingRecord | None:
    if not people_policy.can_view_offboarding(reader):
        return None
    return OffboardingRecord.objects.select_related("user", "performed_by", "reassigned_to").filter(pk=pk).first()
