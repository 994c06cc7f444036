"""Review action items: the list (everyone sees at least their own) and one action's page with its status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.selectors import history_of
from core.http import AuthenticatedHttpRequest, posted
from core.lists import Columns, filter_values, list_page

from .. import selectors, services
from ..forms import ActionFilterForm, ActionStatusForm
from ..models import ActionItem
from ..policies import action_policy, review_policy

PAGE_SIZE = 50


@login_required
def action_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = ActionFilterForm(request.GET or None, owners=selectors.action_owners_visible_to(request.user))
    reads_all = review_policy.can_view_any(request.user)
    if not reads_all:
        del filters.fields["owner"]  # only their own actions: an owner filter would offer just themselves
    actions = selectors.actions_visible_to(request.user, filter_values(filters))
    export = Columns(
        sheet=_("Review actions"),
        filename="review-actions",
        header=[_("Action"), _("Owner"), _("Due date"), _("Status"), _("From")],
        row=lambda a: [a.title, a.owner.get_full_name(), a.due_date.isoformat(), a.get_status_display(), _origin(a)],
    )
    context = {"today": timezone.localdate(), "reads_all": reads_all, "active_area": "reviews"}
    return list_page(
        request, "reviews/action_list.html", actions, size=PAGE_SIZE, filters=filters, export=export, context=context
    )


def _origin(action: ActionItem) -> str:
    if action.meeting_id:
        return str(action.meeting)
    if action.issue_id:
        return str(action.issue.meeting) if action.issue else ""
    return ""


@login_required
def action_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = selectors.action_for(request.user, pk)
    if action is None:
        raise Http404
    request.audit_object = action
    can_update = action_policy.can_update(request.user, action)
    form = ActionStatusForm(posted(request), initial={"status": action.status})
    if not action_policy.can_choose_dropped(request.user, action):
        form.fields["status"].choices = [  # type: ignore[attr-defined]  # a ChoiceField
            choice for choice in ActionItem.Status.choices if choice[0] != ActionItem.Status.DROPPED
        ]
    if request.method == "POST":
        if not can_update:
            raise Http404
        if form.is_valid():
            try:
                services.action_update(action=action, by=request.user, status=form.cleaned_data["status"])
            except PermissionDenied:
                raise Http404
            except ValidationError as refusal:
                form.add_error(None, refusal)
            else:
                messages.success(request, _("Status saved."))
                return redirect(action)
    return render(
        request,
        "reviews/action_detail.html",
        {
            "action": action,
            "form": form if can_update else None,
            "today": timezone.localdate(),
            "can_view_meeting": review_policy.can_view_any(request.user),
            "history": history_of(request.user, action)[:30],
            "active_area": "reviews",
        },
        status=400 if form.errors else 200,
    )
