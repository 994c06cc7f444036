"""Incident services: reporting (anyone may, with the next reference of the year, distinct under concurrency) and
the breach record's checks."""

import datetime as dt
import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import services as account_services
from audit.models import AuditEvent
from core.schemas import use_public_schema
from incidents import services
from incidents.models import Incident, StatusChange
from tenants import services as tenant_services

WRITERS, REPORTS_EACH = 6, 5


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


def _breach(acme, make_incident, detected_at, assignee=None):
    incident = make_incident(
        by=acme.staff, title="Customer list e-mailed to the wrong address", detected_at=detected_at
    )
    with schema_context("acme"):
        if assignee is not None:
            incident = services.incident_transition(
                incident=incident, by=acme.operations, to="triaged", severity=1, assignee=assignee
            )
        return services.incident_breach_update(incident=incident, by=acme.security, personal_data_breach=True)


def test_notification_records_are_checked(acme, make_incident):
    incident = _breach(acme, make_incident, timezone.now() - dt.timedelta(hours=5))
    with schema_context("acme"):
        with pytest.raises(ValidationError, match="not both"):
            services.incident_breach_update(
                incident=incident,
                by=acme.security,
                authority_notified_at=timezone.now(),
                authority_not_notified_reason="Because",
            )
        with pytest.raises(ValidationError, match="future"):
            services.incident_breach_update(
                incident=incident, by=acme.security, subjects_notified_at=timezone.now() + dt.timedelta(days=1)
            )
        stored = Incident.objects.get(pk=incident.pk)
        assert stored.authority_notified_at is None and stored.subjects_notified_at is None


def test_concurrent_reports_get_distinct_consecutive_references(worlds, django_db_blocker):
    slug = f"incseq-{uuid.uuid4().hex[:6]}"
    with django_db_blocker.unblock():
        tenant = tenant_services.tenant_provision(slug=slug, name="Sequence AB", admin_email=f"a@{slug}.example").tenant
        try:
            with schema_context(tenant.schema_name):
                reporter = account_services.user_create(email=f"staff@{slug}.example", roles=["Staff"])
            start = threading.Barrier(WRITERS)
            errors: list[BaseException] = []

            def write() -> None:
                try:
                    start.wait()
                    with schema_context(tenant.schema_name):
                        for n in range(REPORTS_EACH):
                            services.incident_report(by=reporter, title=f"Report {n}", description="")
                except BaseException as error:
                    errors.append(error)
                finally:
                    connections.close_all()

            threads = [threading.Thread(target=write) for _ in range(WRITERS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert errors == []
            with schema_context(tenant.schema_name):
                references = sorted(Incident.objects.values_list("reference", flat=True))
            year = timezone.localdate().year
            assert references == [f"INC-{year}-{n:04d}" for n in range(1, WRITERS * REPORTS_EACH + 1)]
        finally:
            use_public_schema()
            tenant_services.tenant_delete(slug=slug)
