"""Login, logout, re-authentication, one-time set-password links and accepting an invitation."""

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

import audit
from audit.models import AuditEvent
from core.http import next_url, posted

from .. import lockout, services, sessions
from ..forms import EmailAuthenticationForm, InvitationAcceptForm, ReauthenticateForm
from ..models import User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.login_record(user=form.get_user(), request=self.request)
        return response

    def form_invalid(self, form: Any) -> HttpResponse:
        # A wrong password (already audited as auth.login_failed) counts towards the lock across addresses.
        if form.has_error(NON_FIELD_ERRORS, "invalid_login") and form.cleaned_data.get("username"):
            lockout.login_failure_register(email=form.cleaned_data["username"], request=self.request)
        return super().form_invalid(form)


class LogoutView(auth_views.LogoutView):
    pass


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """The one-time link of a new account: a person chooses a password, then logs in."""

    template_name = "accounts/set_password.html"
    success_url = reverse_lazy("login")
    post_reset_login = False
    reset_url_token = "choose"  # noqa: S105 -- a URL segment, not a password

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        audit.record(actor=form.user, action="user.password_set", obj=form.user, kind=AuditEvent.Kind.SECURITY)
        messages.success(self.request, _("Your password is set. You can now log in."))
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("profile")

    def form_valid(self, form: Any) -> HttpResponse:
        old_key = self.request.session.session_key
        response = super().form_valid(form)  # update_session_auth_hash() gives the session a new key
        services.login_session_rekey(
            user=cast(User, self.request.user),
            old_key=old_key,
            new_key=self.request.session.session_key,
        )
        audit.record(
            actor=self.request.user,
            action="user.password_changed",
            obj=self.request.user,
            kind=AuditEvent.Kind.SECURITY,
        )
        messages.success(self.request, _("Your password has been changed."))
        return response


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(posted(request), email=invitation.email, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token, full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password1"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            services.login_record(user=user, request=request)
            messages.success(request, _("Welcome! Your account is ready."))
            return redirect("dashboard")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invitation": invitation})


@never_cache
@login_required
def reauthenticate(request: HttpRequest) -> HttpResponse:
    """The password (and the second factor) again before a sensitive action; back to where the person was."""
    user = cast(User, request.user)
    needs_code = sessions.reauthentication_needs_code(user)
    form = ReauthenticateForm(posted(request), needs_code=needs_code)
    if request.method == "POST" and form.is_valid():
        if sessions.reauthenticate(
            request=request, password=form.cleaned_data["password"], code=form.cleaned_data.get("code", "")
        ):
            return redirect(next_url(request))
        form.add_error(
            None,
            _("That password or code is not right.") if needs_code else _("That password is not right."),
        )
    return render(
        request,
        "accounts/reauthenticate.html",
        {"form": form, "next": next_url(request), "minutes": settings.ISMS_REAUTH_MINUTES, "needs_code": needs_code},
    )
