"""The tenant's security settings, for its Admins."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.http import AuthenticatedHttpRequest, posted

from .. import services
from ..policies import tenant_settings_policy
from ..sessions import reauth_required


class SecuritySettingsForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label=gettext_lazy("Require two-factor authentication for everyone"),
        help_text=gettext_lazy(
            "Admin, CISO, Security and Management always need it. With this on, every person, "
            "consultants and externals included, sets it up at their next page view."
        ),
        required=False,
    )
    backup_retention_days = forms.IntegerField(
        label=gettext_lazy("Keep backups for (days)"),
        required=False,
        help_text=gettext_lazy("Leave empty for the platform default."),
    )

    session_idle_minutes = forms.IntegerField(
        label=gettext_lazy("Log out after this many idle minutes"),
        required=False,
        help_text=gettext_lazy("Leave empty for the platform default."),
    )

    def clean_session_idle_minutes(self) -> int | None:
        minutes = self.cleaned_data.get("session_idle_minutes")
        low, high = settings.ISMS_SESSION_IDLE_MIN_MINUTES, settings.ISMS_SESSION_IDLE_MAX_MINUTES
        if minutes is not None and not low <= minutes <= high:
            raise forms.ValidationError(
                _("Idle sessions are logged out after %(low)d to %(high)d minutes.") % {"low": low, "high": high}
            )
        return minutes

    def clean_backup_retention_days(self) -> int | None:
        days = self.cleaned_data.get("backup_retention_days")
        low, high = settings.BACKUP_RETENTION_MIN_DAYS, settings.BACKUP_RETENTION_MAX_DAYS
        if days is not None and not low <= days <= high:
            raise forms.ValidationError(_("Backups are kept %(low)d to %(high)d days.") % {"low": low, "high": high})
        return days


@login_required
@reauth_required
def security_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not tenant_settings_policy.can_change(request.user):
        raise Http404
    tenant = request.tenant
    form = SecuritySettingsForm(
        posted(request),
        initial={
            "require_two_factor": tenant.require_two_factor,
            "backup_retention_days": tenant.backup_retention_days,
            "session_idle_minutes": tenant.session_idle_minutes,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.tenant_backup_retention_set(
            tenant=tenant,
            days=form.cleaned_data["backup_retention_days"],
            by=request.user,
        )
        services.tenant_session_idle_set(
            tenant=tenant,
            minutes=form.cleaned_data["session_idle_minutes"],
            by=request.user,
        )
        services.tenant_two_factor_set(
            tenant=tenant,
            required=form.cleaned_data["require_two_factor"],
            by=request.user,
        )
        messages.success(request, _("Security settings saved."))
        return redirect("security_settings")
    return render(request, "accounts/security_settings.html", {"form": form, "active_area": "admin"})
