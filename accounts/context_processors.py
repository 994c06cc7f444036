"""Template context of accounts: whether this person still has to set up two-factor authentication."""

from typing import Any

from django.http import HttpRequest

from . import twofactor


def two_factor(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    pending = bool(
        user is not None
        and user.is_authenticated
        and not getattr(user, "is_verified", lambda: False)()
        and twofactor.is_required(request, user)
    )
    return {"portal_two_factor_pending": pending}
