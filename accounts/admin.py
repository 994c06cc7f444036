"""Operators manage operator accounts in the public admin; tenant people are managed in the portal."""

from django.contrib import admin

from tenants.admin import operator_site

from .models import User


class OperatorAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "is_active", "is_staff", "last_login")
    search_fields = ("email", "full_name")
    fields = ("email", "full_name", "is_active", "is_staff", "is_superuser", "last_login")
    readonly_fields = ("last_login",)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        # Deleting an operator follows foreign keys into tenant-only tables: deactivate instead.
        return False


operator_site.register(User, OperatorAdmin)
