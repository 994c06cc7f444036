"""Who may see and manage the people of a tenant."""

from typing import Any


class PeoplePolicy:
    def can_view(self, user: Any) -> bool:
        return bool(user.is_authenticated and user.is_active and user.has_perm("accounts.view_user"))

    def can_manage(self, user: Any) -> bool:
        """Invite, change roles, deactivate, offboard."""
        return bool(user.is_authenticated and user.is_active and user.has_perm("accounts.change_user"))

    def can_view_offboarding(self, user: Any) -> bool:
        return bool(user.is_authenticated and user.is_active and user.has_perm("accounts.view_offboardingrecord"))


people_policy = PeoplePolicy()


class TenantSettingsPolicy:
    def can_change(self, user: Any) -> bool:
        """The tenant's own security settings: its Admins."""
        return people_policy.can_manage(user)


tenant_settings_policy = TenantSettingsPolicy()


class OperatorPolicy:
    """Platform operators in the public admin. Superuser status is every permission at once, so only a
    superuser grants it or touches an account that has it; a staff operator cannot raise anyone, themselves
    included."""

    def can_grant_superuser(self, user: Any) -> bool:
        return bool(user.is_authenticated and user.is_active and user.is_superuser)

    def can_change(self, user: Any, operator: Any) -> bool:
        if operator is not None and operator.is_superuser and not self.can_grant_superuser(user):
            return False
        return bool(user.is_authenticated and user.is_active and user.has_perm("accounts.change_user"))


operator_policy = OperatorPolicy()
