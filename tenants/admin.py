"""The platform operators' admin, mounted on the public host only (tenant hosts never list tenants)."""

from typing import Any, cast

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, reverse
from django.utils.translation import gettext_lazy as _

from accounts.admin import OperatorAdmin
from accounts.models import User

from .models import Domain, Tenant


class OperatorAdminSite(admin.AdminSite):
    site_header = _("ISMS portal — platform operators")
    site_title = _("Platform operators")

    def has_permission(self, request: HttpRequest) -> bool:
        # Operators always use a second factor (the gate sends them to enrol or verify).
        return bool(super().has_permission(request) and cast(User, request.user).is_verified())

    def get_urls(self) -> list[URLResolver | URLPattern]:
        from django.urls import path

        overview = path("operations/", self.admin_view(self.platform_overview_view), name="operations")
        return [overview, *super().get_urls()]

    def platform_overview_view(self, request: HttpRequest) -> HttpResponse:
        """Backups and drills of every tenant, as aggregates (no tenant data leaves its schema)."""
        from django.shortcuts import render

        from .operations import operations_overview

        context = {**self.each_context(request), "title": _("Platform overview"), "rows": operations_overview()}
        return render(request, "tenants/platform_overview.html", context)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        """One login page for operators: ours, with lockout and the two-factor gate."""
        return redirect_to_login(request.GET.get("next", reverse("operator_admin:index")), login_url=reverse("login"))


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
operator_site.register(User, OperatorAdmin)
