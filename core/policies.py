"""The base every app's policy builds on: who is signed in and active, their roles, their permissions.

Conventions for an app's policy (one object per record type, in ``<app>/policies.py``):

- ``visible(user, queryset)`` narrows a queryset to the records ``user`` may see (``none()`` for nobody);
- ``can_view(user, obj)`` and ``can_<verb>(user, obj)`` answer for one record and know its state, so
  a view or service never combines a permission with a status (``can_x(...) and obj.status == ...``);
- role membership is asked through ``has_role`` (the role names live in ``accounts/roles.py``) and model
  permissions through ``allows``: nowhere else in the code base calls ``has_perm`` or compares role names.
"""

from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Model

    from accounts.models import User

# Whom a policy is asked about: a person of the tenant, or an anonymous visitor (who may do nothing).
Person = Union["User", "AnonymousUser"]


class BasePolicy:
    @staticmethod
    def active(user: Person) -> bool:
        """Signed in with an account that is not deactivated (guardian cannot answer for anonymous users)."""
        return bool(getattr(user, "is_authenticated", False) and user.is_active)

    def allows(self, user: Person, permission: str, obj: "Model | None" = None) -> bool:
        """``user`` holds the model permission (through a role), or the object permission on ``obj``."""
        if not self.active(user):
            return False
        return bool(user.has_perm(permission) if obj is None else user.has_perm(permission, obj))

    @staticmethod
    def roles_of(user: Person) -> list[str]:
        """The role names of an active user; none for anyone else."""
        return list(getattr(user, "role_names", [])) if BasePolicy.active(user) else []

    def has_role(self, user: Person, *roles: str) -> bool:
        """``user`` is active and a member of at least one of ``roles`` (``accounts.roles.Role`` members)."""
        return bool(set(self.roles_of(user)) & {str(role) for role in roles})

    @staticmethod
    def is_user(user: Person, pk: object) -> bool:
        """``pk`` names ``user`` (an owner, assignee or reporter field), for an active user only."""
        return BasePolicy.active(user) and pk is not None and pk == user.pk
