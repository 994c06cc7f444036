"""Reads of policies, versions and acknowledgements, filtered by the reader's reach, at a fixed query count.

The training app builds on ``audience_users``, ``current_version``, ``acknowledgement_status`` and
``policies_visible_to`` (onboarding sets, re-assignment on a new version, the compliance view).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from accounts.models import User

from .models import Acknowledgement, Policy, PolicyVersion
from .policies import audience_q, policy_policy


def audience_users(policy: Policy) -> QuerySet[User]:
    """The active people who must read ``policy``: those with one of its roles, or everyone when it names none."""
    users = User.objects.filter(is_active=True)
    if policy.audience:
        users = users.filter(groups__name__in=policy.audience).distinct()
    return users.order_by("full_name", "email")


def current_version(policy: Policy) -> PolicyVersion | None:
    """The published version of ``policy`` (there is at most one), or None."""
    return policy.versions.filter(status=PolicyVersion.Status.PUBLISHED).first()


def policies_visible_to(user: Any) -> QuerySet[Policy]:
    """The policies ``user`` may open: all of them for CISO/Security/Management/Auditor, otherwise
    those addressed to them that have (or had) a published text."""
    return policy_policy.visible(user, Policy.objects.select_related("owner"))


def policies_addressed_to(user: Any) -> QuerySet[Policy]:
    """The policies ``user`` must read (their audience), whatever their state."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Policy.objects.none()
    return Policy.objects.filter(audience_q(user))


@dataclass(frozen=True)
class AcknowledgementStatus:
    """Where one person stands on one policy addressed to them."""

    policy: Policy
    current: PolicyVersion  # the published version
    acknowledged: PolicyVersion | None  # the latest version they acknowledged, current or older, or None
    acknowledged_at: datetime | None

    @property
    def up_to_date(self) -> bool:
        return self.acknowledged is not None and self.acknowledged.pk == self.current.pk

    @property
    def state(self) -> str:
        """ "current", "older" (acknowledged an earlier version only) or "never"."""
        if self.acknowledged is None:
            return "never"
        return "current" if self.up_to_date else "older"


def acknowledgement_status(user: Any) -> list[AcknowledgementStatus]:
    """For each policy addressed to ``user`` that has a published version: that version and the
    latest version they acknowledged (or None). Policies without a published text are left out:
    there is nothing to acknowledge yet. Three queries."""
    policies = list(
        policies_addressed_to(user)
        .filter(versions__status=PolicyVersion.Status.PUBLISHED)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED),
                to_attr="published",
            )
        )
        .order_by("title")
    )
    latest: dict[int, Acknowledgement] = {}
    acknowledgements = (
        Acknowledgement.objects.filter(user=user, version__policy__in=[policy.pk for policy in policies])
        .select_related("version")
        .order_by("version__number")
    )
    for acknowledgement in acknowledgements:
        latest[acknowledgement.version.policy_id] = acknowledgement  # highest number wins
    rows = []
    for policy in policies:
        mine = latest.get(policy.pk)
        rows.append(
            AcknowledgementStatus(
                policy=policy,
                current=policy.published[0],
                acknowledged=mine.version if mine else None,
                acknowledged_at=mine.acknowledged_at if mine else None,
            )
        )
    return rows


def acknowledgement_of(user: Any, policy: Policy) -> Acknowledgement | None:
    """``user``'s latest acknowledgement of any version of ``policy``."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Acknowledgement.objects.filter(user=user, version__policy=policy)
        .select_related("version")
        .order_by("-version__number")
        .first()
    )


def policy_list_visible_to(reader: Any, filters: dict[str, Any] | None = None) -> QuerySet[Policy]:
    """The policies list: visible policies with owner, the published version and the newest version
    (``current``/``latest`` lists of at most one), filtered by title search and state."""
    filters = filters or {}
    policies = policies_visible_to(reader).prefetch_related(
        Prefetch(
            "versions",
            queryset=PolicyVersion.objects.filter(status=PolicyVersion.Status.PUBLISHED).select_related("approved_by"),
            to_attr="published",
        ),
        Prefetch(
            "versions",
            queryset=policy_policy.visible_versions(reader, PolicyVersion.objects.all()).order_by("-number"),
            to_attr="visible_versions",
        ),
    )
    if filters.get("q"):
        policies = policies.filter(title__icontains=filters["q"])
    state = filters.get("state")
    if state == "published":
        policies = policies.filter(versions__status=PolicyVersion.Status.PUBLISHED)
    elif state == "unpublished":
        policies = policies.exclude(versions__status=PolicyVersion.Status.PUBLISHED)
    elif state == "pending":  # a draft or approved version waiting
        policies = policies.filter(
            Q(versions__status=PolicyVersion.Status.DRAFT) | Q(versions__status=PolicyVersion.Status.APPROVED)
        ).distinct()
    if filters.get("onboarding"):
        policies = policies.filter(onboarding=True)
    return policies.order_by("title")


def policy_for(reader: Any, pk: int) -> Policy | None:
    """One policy ``reader`` may open, with its owner."""
    return policies_visible_to(reader).filter(pk=pk).first()


def versions_of(reader: Any, policy: Policy) -> QuerySet[PolicyVersion]:
    """The versions of ``policy`` that ``reader`` may read, newest first, with their people."""
    versions = PolicyVersion.objects.filter(policy=policy).select_related("created_by", "approved_by")
    return policy_policy.visible_versions(reader, versions).order_by("-number")


def version_for(reader: Any, policy: Policy, number: int) -> PolicyVersion | None:
    version = versions_of(reader, policy).filter(number=number).first()
    if version is not None:
        version.policy = policy
    return version


@dataclass(frozen=True)
class AudienceRow:
    person: User
    acknowledgement: Acknowledgement | None  # the latest one, of any version

    @property
    def state(self) -> str:
        if self.acknowledgement is None:
            return "never"
        return "current" if self.acknowledgement.version.status == PolicyVersion.Status.PUBLISHED else "older"


def audience_acknowledgements(policy: Policy, filters: dict[str, Any] | None = None) -> list[AudienceRow]:
    """Everyone in the audience of ``policy`` with their roles and the latest version they acknowledged (three queries).

    Filters: ``q`` (name or e-mail), ``state`` (current / older / never)."""
    filters = filters or {}
    people = audience_users(policy).prefetch_related("groups")
    if filters.get("q"):
        people = people.filter(Q(full_name__icontains=filters["q"]) | Q(email__icontains=filters["q"]))
    people_list = list(people)
    latest: dict[int, Acknowledgement] = {}
    for acknowledgement in (
        Acknowledgement.objects.filter(version__policy=policy, user__in=[person.pk for person in people_list])
        .select_related("version")
        .order_by("version__number")
    ):
        latest[acknowledgement.user_id] = acknowledgement
    rows = [AudienceRow(person=person, acknowledgement=latest.get(person.pk)) for person in people_list]
    if filters.get("state"):
        rows = [row for row in rows if row.state == filters["state"]]
    return rows


def acknowledgement_of_version(user: Any, version: PolicyVersion) -> Acknowledgement | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Acknowledgement.objects.filter(user=user, version=version).first()


def acknowledged_versions(user: Any, policy_ids: list[int]) -> dict[int, Acknowledgement]:
    """``user``'s latest acknowledgement per policy among ``policy_ids`` (one query)."""
    if not getattr(user, "is_authenticated", False) or not policy_ids:
        return {}
    latest: dict[int, Acknowledgement] = {}
    for acknowledgement in (
        Acknowledgement.objects.filter(user=user, version__policy__in=policy_ids)
        .select_related("version")
        .order_by("version__number")
    ):
        latest[acknowledgement.version.policy_id] = acknowledgement
    return latest


def audience_totals(policy: Policy) -> dict[str, int]:
    """How many people in the audience acknowledged the version in force, only an older one, or none."""
    rows = audience_acknowledgements(policy)
    totals = {"audience": len(rows), "current": 0, "older": 0, "never": 0}
    for row in rows:
        totals[row.state] += 1
    totals["percent"] = round(100 * totals["current"] / totals["audience"]) if totals["audience"] else 0
    return totals
