"""templates/components/action_items.html: every page with action items lists them the same way."""

import datetime as dt

from django.utils import timezone
from django_tenants.utils import schema_context

from reviews import services as review_services
from reviews.models import ActionItem
from risks.models import TreatmentAction


def test_a_review_flags_its_overdue_action_items_like_a_risk_does(acme, make_risk):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        meeting = review_services.review_plan(
            by=acme.ciso, title="Review", date=yesterday, chair=acme.management, attendees=[acme.ciso]
        )
        meeting = review_services.review_hold(meeting=meeting, by=acme.ciso)
        review_action = ActionItem.objects.create(
            meeting=meeting, title="Late review action", owner=acme.operations, due_date=yesterday, created_by=acme.ciso
        )
        TreatmentAction.objects.create(risk=risk, title="Late treatment", owner=acme.operations, due_date=yesterday)
    ciso = acme.logged_in_client(acme.ciso)
    for url, title in ((meeting.get_absolute_url(), "Late review action"), (f"/risks/{risk.pk}/", "Late treatment")):
        page = ciso.get(url).content.decode()
        row = page[page.index(title) :].split("</tr>")[0]
        assert 'class="level level--critical">overdue' in row
    assert f'href="{review_action.get_absolute_url()}"' in ciso.get(meeting.get_absolute_url()).content.decode()


def test_the_owner_gets_a_labelled_status_form_and_others_read_the_status(acme, make_risk):
    risk = make_risk(owner=acme.ciso)
    with schema_context("acme"):
        action = TreatmentAction.objects.create(
            risk=risk, title="Patch the VPN", owner=acme.operations, due_date=timezone.localdate()
        )
    owner_page = acme.logged_in_client(acme.operations).get(f"/risks/{risk.pk}/").content.decode()
    assert (
        f'<label for="action-status-{action.pk}" class="visually-hidden">Status of Patch the VPN</label>' in owner_page
    )
    auditor_page = acme.logged_in_client(acme.auditor).get(f"/risks/{risk.pk}/").content.decode()
    assert "Patch the VPN" in auditor_page and f"action-status-{action.pk}" not in auditor_page
