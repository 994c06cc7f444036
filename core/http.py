"""Small request helpers shared by the views."""

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (a form of unticked boxes posts nothing);
    None for other methods, so the form stays unbound."""
    return request.POST if request.method == "POST" else None
