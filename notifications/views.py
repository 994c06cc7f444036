"""A person's own notifications: the list, opening one (marks it read) and the e-mail preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from core.http import posted

from . import services
from .forms import EmailPreferencesForm
from .selectors import notifications_of

PAGE_SIZE = 25


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = notifications_of(request.user)  # type: ignore[arg-type]  # login_required: never anonymous
    page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page, "notifications": page.object_list})


@login_required
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    services.notifications_read_all(user=request.user)  # type: ignore[arg-type]  # login_required: never anonymous
    return redirect("notification_list")


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one's own notification read and go to its record; anyone else's answers 404."""
    if request.method != "POST":
        raise Http404
    notification = get_object_or_404(notifications_of(request.user), pk=pk)  # type: ignore[arg-type]  # login_required: never anonymous
    services.notification_read(notification=notification)
    if not url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect("notification_list")
    return redirect(notification.link)


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = EmailPreferencesForm(posted(request), initial_email=services.email_preferences(request.user))  # type: ignore[arg-type]  # login_required: never anonymous
    if request.method == "POST" and form.is_valid():
        services.email_preferences_save(user=request.user, email=form.cleaned_data)  # type: ignore[arg-type]  # login_required: never anonymous
        messages.success(request, _("Your e-mail preferences were saved."))
        return redirect("notification_preferences")
    return render(request, "notifications/preferences.html", {"form": form})
