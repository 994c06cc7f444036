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
