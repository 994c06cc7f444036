"""One list page: the filtered list, its page of rows, the query string for the page links, its CSV/XLSX export.

A list view narrows its items by policy and selector, then hands them here::

    filters = ThingFilterForm(request.GET or None)
    things = selectors.things_visible_to(request.user, filter_values(filters))
    return list_page(request, "things/thing_list.html", things, size=PAGE_SIZE, filters=filters,
                     export=Columns(sheet=_("Things"), filename="things", header=[...], row=lambda t: [...]))

``?format=csv`` or ``?format=xlsx`` answers the export (over every filtered item, not one page); any other
request renders the template with ``filters``, ``page`` and ``query`` (the query string without ``page``) and
the view's own context. The template extends ``components/list_page.html``.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from .http import paginate
from .spreadsheets import table_response

EXPORT_FORMATS = ("csv", "xlsx")

R = TypeVar("R", bound=HttpResponseBase)  # a writer's response (a streamed CSV, say)

# An export: given the format asked for ("csv" or "xlsx") and the filtered items, the download; or, for a list
# with its own writers (or only some formats), a writer of the items per format: {"csv": as_csv, "xlsx": as_xlsx}.
Export = Callable[[str, Any], R] | Mapping[str, Callable[[Any], R]]


def filter_values(filters: Any) -> dict[str, Any]:
    """The cleaned values of a filter form, or none at all when it is unbound or invalid (the whole list)."""
    return filters.cleaned_data if filters.is_valid() else {}


@dataclass(frozen=True)
class Columns:
    """An export of one row per item through ``core.spreadsheets.table_response`` (formula-safe cells)."""

    sheet: str
    filename: str  # without extension
    header: list[object]
    row: Callable[[Any], list[object]]

    def __call__(self, kind: str, items: Any) -> HttpResponse:
        rows = (self.row(item) for item in items)
        return table_response(kind, sheet_name=self.sheet, header=self.header, rows=rows, filename=self.filename)


def list_page(
    request: HttpRequest,
    template: str,
    items: Any,
    *,
    size: int,
    filters: Any = None,
    export: Export[R] | None = None,
    context: Mapping[str, Any] | Callable[[Page[Any]], Mapping[str, Any]] | None = None,
) -> HttpResponse | R:
    """The export asked for by ``?format=`` (if ``export`` has it), else the requested page of ``items``.

    ``context`` may be a function of the page, for what is worked out from its rows only.
    """
    kind = request.GET.get("format") or ""
    if isinstance(export, Mapping):
        if kind in export:
            return export[kind](items)
    elif export is not None and kind in EXPORT_FORMATS:
        return export(kind, items)
    page, query = paginate(request, items, size)
    extra = context(page) if callable(context) else context or {}
    return render(request, template, {"filters": filters, "page": page, "query": query, **extra})
