"""Who may see and manage the people of a tenant."""

from collections.abc import Iterable

from core.policies import BasePolicy, Person

from .models import User
from .roles import Role


class PeoplePolicy(BasePolicy):
    def can_view(self, user: Person) -> bool:
        return self.allows(user, "accounts.view_user")

    def can_manage(self, user: Person) -> bool:
        """Invite, change roles, deactivate, offboard."""
        return self.allows(user, "accounts.change_user")

    def can_view_offboarding(self, user: Person) -> bool:
        return self.allows(user, "accounts.view_offboardingrecord")

    def can_set_roles(self, user: Person, person: User, roles: Iterable[str]) -> bool:
        """Change ``person``'s roles to ``roles``: an Admin never takes their own Admin role away (another
        admin must), so a tenant is never left without one by a slip."""
        if person == user and self.has_role(person, Role.ADMIN) and Role.ADMIN not in set(roles):
            return False
        return self.can_manage(user)


people_policy = PeoplePolicy()


class TenantSettingsPolicy(BasePolicy):
    def can_change(self, user: Person) -> bool:
        """The tenant's own security settings: its Admins."""
        return people_policy.can_manage(user)


tenant_settings_policy = TenantSettingsPolicy()


class OperatorPolicy(BasePolicy):
    """Platform operators in the public admin. Superuser status is every permission at once, so only a
    superuser grants it or touches an account that has it; a staff operator cannot raise anyone, themselves
    included."""

    def can_grant_superuser(self, user: Person) -> bool:
        return bool(self.active(user) and user.is_superuser)

    def can_change(self, user: Person, operator: User | None) -> bool:
        if operator is not None and operator.is_superuser and not self.can_grant_superuser(user):
            return False
        return self.allows(user, "accounts.change_user")


operator_policy = OperatorPolicy()
