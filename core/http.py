"""Small request helpers shared by the views."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, QueryDict
from django.utils.http import url_has_allowed_host_and_scheme

if TYPE_CHECKING:
    from accounts.models import User
    from audit.context import RequestContext
    from tenants.models import Tenant

T = TypeVar("T")


class TenantHttpRequest(HttpRequest):
    """A request on a tenant's host: django-tenants' middleware sets ``tenant``; the other attributes are marks
    that middleware and upload handlers leave for later steps (declared here so mypy knows them)."""

    tenant: "Tenant"
    axes_locked_out: bool  # read by django-axes' middleware: answer with the locked-out page
    account_locked: bool
    upload_too_large: bool  # set by the incident attachments' upload handler
    audit_context: "RequestContext"  # set by audit.middleware


class AuthenticatedHttpRequest(TenantHttpRequest):
    """The request of a view behind ``login_required``: its user is a signed-in person, never anonymous."""

    user: "User"
    # The record a page shows, for the access log (read by ``audit.middleware``).
    audit_object: object


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (a form of unticked boxes posts nothing);
    None for other methods, so the form stays unbound."""
    return request.POST if request.method == "POST" else None


def next_url(request: HttpRequest, default: str = "/") -> str:
    """The ``next`` of the request if it stays on this host (no open redirect), else ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return default


def form_save(request: HttpRequest, form: Any, write: Callable[[dict[str, Any]], T]) -> T | None:
    """Hand a valid ModelForm's fields to a service; its refusals become form errors or a 404.

    Returns what the service returned, or None when the form (or the service) refused.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    # A field the form leaves out for this person (e.g. a risk's owner) is not handed to the service.
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name in form.fields}
    try:
        return write(fields)
    except PermissionDenied:
        raise Http404
    except ValidationError as error:
        form.add_error(None, error)
        return None


def paginate(request: HttpRequest, items: Any, size: int) -> tuple[Page[Any], str]:
    """The requested page of ``items`` and the query string without the page number (for page links)."""
    page = Paginator(items, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
