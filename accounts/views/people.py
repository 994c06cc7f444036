"""The tenant's people: list, invite, roles, deactivate and reactivate, offboarding."""

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import AuthenticatedHttpRequest, posted
from core.lists import filter_values, list_page
from core.spreadsheets import csv_response

from .. import lockout, selectors, services
from ..forms import InvitationForm, OffboardForm, PeopleFilterForm, RolesForm
from ..models import Invitation, User
from ..ownership import records_owned_by
from ..policies import people_policy
from ..sessions import reauth_required

PAGE_SIZE = 25


def _person_or_404(request: AuthenticatedHttpRequest, pk: int) -> User:
    person = selectors.person_for(request.user, pk)
    if person is None:
        raise Http404
    request.audit_object = person
    return person


def _manager_or_404(request: AuthenticatedHttpRequest) -> User:
    if not people_policy.can_manage(request.user):
        raise Http404
    return request.user


@login_required
def people_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not people_policy.can_view(request.user):
        raise Http404
    filters = PeopleFilterForm(request.GET or None)
    values = filter_values(filters)
    people = selectors.people_visible_to(
        request.user, q=values.get("q", ""), role=values.get("role", ""), status=values.get("status", "")
    )

    def context(page: Page[Any]) -> dict[str, Any]:  # after the export: its queries only for the page
        return {
            "invitations": selectors.invitations_pending_for(request.user),
            "can_manage": people_policy.can_manage(request.user),
            "active_area": "admin",
        }

    return list_page(
        request,
        "accounts/people_list.html",
        people,
        size=PAGE_SIZE,
        filters=filters,
        export={"csv": _people_csv},
        context=context,
    )


def _people_csv(people: "selectors.QuerySet[User]") -> HttpResponse:
    rows: Iterable[list[object]] = (
        [
            person.email,
            person.full_name,
            ";".join(group.name for group in person.groups.all()),
            "yes" if person.is_active else "no",
            person.last_login.isoformat() if person.last_login else "",
            person.date_joined.isoformat(),
        ]
        for person in people
    )
    header: list[object] = ["email", "full_name", "roles", "active", "last_login", "date_joined"]
    return csv_response(header=header, rows=rows, filename="people.csv")


@login_required
def person_invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = _manager_or_404(request)
    form = InvitationForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _link = services.invitation_create(
                by=manager,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                roles=form.cleaned_data["roles"],
                host=request.get_host().split(":")[0],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works once, for 72 hours.") % {"email": invitation.email},
            )
            return redirect("people")
    return render(request, "accounts/person_invite.html", {"form": form, "active_area": "admin"})


@login_required
@reauth_required(only_post=True)
def person_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(request, pk)
    can_manage = people_policy.can_manage(request.user)
    form = RolesForm(posted(request), initial={"roles": person.role_names})
    if request.method == "POST":
        manager = _manager_or_404(request)
        if form.is_valid():
            try:
                services.user_roles_set(user=person, roles=form.cleaned_data["roles"], by=manager)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Roles saved."))
                return redirect("person", pk=person.pk)
    return render(
        request,
        "accounts/person_detail.html",
        {
            "person": person,
            "form": form,
            "can_manage": can_manage,
            "account_lock": lockout.account_lock_active(person),
            "offboardings": person.offboardings.all() if people_policy.can_view_offboarding(request.user) else [],
            "active_area": "admin",
        },
    )


@login_required
@require_POST
def person_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    manager = _manager_or_404(request)
    person = _person_or_404(request, pk)
    try:
        if request.POST.get("action") == "reactivate":
            services.user_reactivate(user=person, by=manager)
            messages.success(request, _("%(name)s can log in again.") % {"name": person})
        else:
            services.user_deactivate(user=person, by=manager)
            messages.success(request, _("%(name)s is deactivated and logged out.") % {"name": person})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("person", pk=person.pk)


@login_required
@require_POST
def person_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    manager = _manager_or_404(request)
    person = _person_or_404(request, pk)
    try:
        lockout.account_lock_clear(user=person, by=manager)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s can log in again.") % {"name": person})
    return redirect("person", pk=person.pk)


@login_required
@reauth_required
def person_offboard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    manager = _manager_or_404(request)
    person = _person_or_404(request, pk)
    form = OffboardForm(posted(request), leaving=person)
    if request.method == "POST" and form.is_valid():
        try:
            record = services.user_offboard(user=person, by=manager, reassign_to=form.cleaned_data["reassign_to"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s has been offboarded.") % {"name": person})
            return redirect("offboarding", pk=record.pk)
    return render(
        request,
        "accounts/person_offboard.html",
        {"person": person, "form": form, "owned": records_owned_by(person), "active_area": "admin"},
    )


@login_required
def offboarding_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    record = selectors.offboarding_for(request.user, pk)
    if record is None:
        raise Http404
    request.audit_object = record
    return render(request, "accounts/offboarding_detail.html", {"record": record, "active_area": "admin"})


@login_required
@require_POST
def invitation_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    manager = _manager_or_404(request)
    invitation = get_object_or_404(Invitation, pk=pk)
    try:
        services.invitation_revoke(invitation=invitation, by=manager)
    except PermissionDenied:
        raise Http404
    messages.success(request, _("The invitation to %(email)s was revoked.") % {"email": invitation.email})
    return redirect("people")
