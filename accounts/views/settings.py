"""The tenant's security settings, for its Admins."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.http import posted

from .. import services
from ..policies import tenant_settings_policy


class SecuritySettingsForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label=gettext_lazy("Require two-factor authentication for everyone"),
        help_text=gettext_lazy(
            "Admin, CISO, Security and Management always need it. With this on, every person, "
            "consultants and externals included, sets it up at their next page view."
        ),
        required=False,
    )


@login_required
def security_settings(request: HttpRequest) -> HttpResponse:
    if not tenant_settings_policy.can_change(request.user):
        raise Http404
    tenant = request.tenant  # type: ignore[attr-defined]
    form = SecuritySettingsForm(posted(request), initial={"require_two_factor": tenant.require_two_factor})
    if request.method == "POST" and form.is_valid():
        services.tenant_two_factor_set(
            tenant=tenant,
            required=form.cleaned_data["require_two_factor"],
            by=request.user,  # type: ignore[arg-type]
        )
        messages.success(request, _("Security settings saved."))
        return redirect("security_settings")
    return render(request, "accounts/security_settings.html", {"form": form, "active_area": "admin"})
