"""The two-factor gate: people who need a second factor reach nothing else until they have used it."""

from collections.abc import Callable
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import Resolver404, resolve, reverse

from . import twofactor

# Pages a person may use before passing the gate.
OPEN_URL_NAMES = frozenset(
    {
        "two_factor_enrol",
        "two_factor_verify",
        # Enrolling a first authenticator may need a fresh password first.
        "reauthenticate",
        "logout",
        "set_language",
        "healthz",
        "login",
        "landing",
        "set_password",
        "invitation_accept",
    }
)


class TwoFactorGateMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        verified = getattr(user, "is_verified", lambda: False)()
        if user.is_authenticated and not verified and twofactor.is_required(request, user):
            urlconf = getattr(request, "urlconf", None)
            try:
                match = resolve(request.path_info, urlconf=urlconf)
            except Resolver404:
                return self.get_response(request)
            if match.url_name not in OPEN_URL_NAMES and not request.path_info.startswith("/static/"):
                name = "two_factor_verify" if twofactor.has_confirmed_device(user) else "two_factor_enrol"
                target = reverse(name, urlconf=urlconf)
                return HttpResponseRedirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
