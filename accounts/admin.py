"""Operators manage operator accounts in the public admin (tenants.admin registers it on the operators'
site); tenant people are managed in the portal."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .policies import operator_policy


class OperatorAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login")
    search_fields = ("email", "full_name")
    # No groups or user_permissions here: superuser status is the only grant, and only superusers give it.
    fields = ("email", "full_name", "is_active", "is_staff", "is_superuser", "last_login")
    readonly_fields = ("last_login",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not operator_policy.can_grant_superuser(request.user):
            readonly += ("is_superuser",)  # shown, never posted: the form has no such field
        return readonly

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return operator_policy.can_change(request.user, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting an operator follows foreign keys into tenant-only tables: deactivate instead.
        return False
