"""The training start page and the training settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.http import AuthenticatedHttpRequest, posted

from .. import selectors, services
from ..forms import SettingsForm
from ..models import TrainingSettings
from ..policies import training_policy
from .shared import AREA, _links


@login_required
def training_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My training: what is left (with due dates), the modules I may take, and where to go next."""
    from policies.selectors import acknowledgement_status

    today = timezone.localdate()
    return render(
        request,
        "training/home.html",
        {
            "open": selectors.assignments_open_for(request.user),
            "policies": acknowledgement_status(request.user),
            "modules": selectors.my_modules(request.user),
            "today": today,
            "active_area": AREA,
            **_links(request.user),
        },
    )


@login_required
def settings_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not training_policy.can_change_settings(request.user):
        raise Http404
    form = SettingsForm(posted(request), instance=TrainingSettings.current())
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_update(by=request.user, onboarding_due_days=form.cleaned_data["onboarding_due_days"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("training")
    return render(request, "training/settings_form.html", {"form": form, "active_area": AREA})
