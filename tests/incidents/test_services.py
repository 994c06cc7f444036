"""Reporting an incident: anyone may, it lands as "reported" with the next reference of the year."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from audit.models import AuditEvent
from incidents import services
from incidents.models import Incident, StatusChange


@pytest.mark.parametrize("role", ["staff", "external", "operations", "management"])
def test_anyone_reports_and_it_lands_as_reported(acme, role):
    person = getattr(acme, role)
    with schema_context("acme"):
        incident = services.incident_report(
            by=person,
            title="Laptop left on the train",
            description="Work laptop, disk encrypted.",
            affected="Laptop 42, VPN",
        )
        assert incident.status == "reported"
        assert incident.reporter == person
        assert incident.affected == ["Laptop 42", "VPN"]
        assert incident.reference == f"INC-{timezone.localdate().year}-0001"
        assert StatusChange.objects.filter(incident=incident, to_status="reported", by=person).exists()
        assert AuditEvent.objects.filter(action="incident.reported", object_id=str(incident.pk)).exists()


def test_references_count_up_per_year(acme):
    with schema_context("acme"):
        first = services.incident_report(by=acme.staff, title="One", description="")
        second = services.incident_report(by=acme.staff, title="Two", description="", type="operational")
    year = timezone.localdate().year
    assert (first.reference, second.reference) == (f"INC-{year}-0001", f"INC-{year}-0002")
    assert second.type == "operational"


def test_a_report_needs_a_title_and_a_past_detection_time(acme):
    with schema_context("acme"):
        with pytest.raises(ValidationError):
            services.incident_report(by=acme.staff, title="  ", description="")
        with pytest.raises(ValidationError):
            services.incident_report(
                by=acme.staff, title="Later", description="", detected_at=timezone.now() + dt.timedelta(days=1)
            )
        assert not Incident.objects.exists()
