"""The demo data: a year of incidents across types, severities and statuses; running it twice changes nothing."""

from django_tenants.utils import schema_context

from accounts import services as account_services
from incidents import demo
from incidents.models import Attachment, CorrectiveAction, Incident


def test_demo_data_is_realistic_and_idempotent(acme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with schema_context("acme"):
        for email, role in (
            (demo.OPS, "Operations"),
            (demo.SEC, "Security"),
            (demo.CISO, "CISO"),
            (demo.STAFF, "Staff"),
        ):
            account_services.user_create(email=email, roles=[role])
        demo.demo_ensure()
        demo.demo_ensure()
        incidents = Incident.objects.all()
        assert incidents.count() == len(demo.DEMO_INCIDENTS) == 12
        assert set(incidents.values_list("type", flat=True)) == {"security", "operational", "privacy"}
        assert set(incidents.values_list("status", flat=True)) == {
            "reported",
            "triaged",
            "contained",
            "resolved",
            "closed",
        }
        assert set(incidents.exclude(severity=None).values_list("severity", flat=True)) == {1, 2, 3, 4}
        running = incidents.get(personal_data_breach=True, status="triaged")
        assert running.breach_deadline is not None and not running.authority_decided
        assert CorrectiveAction.objects.filter(status="open").exists()
        assert Attachment.objects.count() == 1
        months = {i.reported_at.month for i in incidents}
        assert len(months) >= 5
