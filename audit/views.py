"""The audit viewer: filter by person, action, object and date; export as CSV."""

import csv
import json
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from core.lists import list_page
from core.spreadsheets import safe_cell

from .forms import AuditFilterForm
from .policies import audit_policy
from .selectors import events_visible_to

PAGE_SIZE = 50
CSV_COLUMNS = [
    "id",
    "occurred_at",
    "kind",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_label",
    "changes",
    "ip",
    "user_agent",
    "request_id",
    "method",
    "path",
    "status",
    "hash",
]


@login_required
def event_list(request: HttpRequest) -> HttpResponseBase:
    if not audit_policy.can_view(request.user):
        raise Http404
    form = AuditFilterForm(request.GET or None)
    valid = form.is_valid()
    events = events_visible_to(request.user, form.cleaned_data if valid else {})
    return list_page(
        request,
        "audit/event_list.html",
        events,
        size=PAGE_SIZE,
        filters=form,
        export={"csv": _csv} if valid else None,  # never the whole trail for filters that did not hold
        context={"active_area": "admin"},
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv(events: object) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def rows() -> Iterator[str]:
        yield writer.writerow(CSV_COLUMNS)
        for event in events.iterator(chunk_size=2000):  # type: ignore[attr-defined]  # events is the filtered QuerySet
            yield writer.writerow(
                safe_cell(value)
                for value in [
                    event.pk,
                    event.occurred_at.isoformat(),
                    event.kind,
                    event.actor_label,
                    event.action,
                    event.object_type,
                    event.object_id,
                    event.object_label,
                    json.dumps(event.changes, ensure_ascii=False),
                    event.ip or "",
                    event.user_agent,
                    event.request_id,
                    event.method,
                    event.path,
                    event.status or "",
                    event.hash,
                ]
            )

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
    return response
