"""References are unique under concurrency: reports arriving at the same moment never share a number."""

import threading
import uuid

from django.db import connections
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts import services as account_services
from core.schemas import use_public_schema
from incidents import services
from incidents.models import Incident
from tenants import services as tenant_services

WRITERS, REPORTS_EACH = 6, 5


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
