"""The platform operators' admin, mounted on the public host only (tenant hosts never list tenants)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Domain, Tenant


class OperatorAdminSite(admin.AdminSite):
    site_header = _("ISMS portal — platform operators")
    site_title = _("Platform operators")


operator_site = OperatorAdminSite(name="operator_admin")


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "status", "created_at")
    search_fields = ("slug", "name")
    readonly_fields = ("schema_name", "slug", "created_at")
    inlines = [DomainInline]


operator_site.register(Tenant, TenantAdmin)
