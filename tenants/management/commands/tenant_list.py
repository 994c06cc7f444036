from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from tenants.models import Tenant


class Command(BaseCommand):
    help = "List the tenants with their hosts and status."

    def handle(self, *args: Any, **options: Any) -> None:
        tenants = Tenant.objects.exclude(schema_name="public").prefetch_related("domains")
        if not tenants:
            self.stdout.write(
                "No tenants yet. Create one with: manage.py tenant_create --slug … --name … --admin-email …"
            )
            return
        self.stdout.write(f"{'SLUG':<24} {'STATUS':<10} {'CREATED':<17} {'HOSTS':<40} NAME")
        for tenant in tenants:
            hosts = ",".join(domain.domain for domain in tenant.domains.all())
            created = timezone.localtime(tenant.created_at)
            self.stdout.write(
                f"{tenant.slug:<24} {tenant.status:<10} {created:%Y-%m-%d %H:%M} {hosts:<40} {tenant.name}"
            )
