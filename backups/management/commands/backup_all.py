from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from backups import services
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Back up every active tenant now, one after another."

    def handle(self, *args: Any, **options: Any) -> None:
        slot = f"manual-{timezone.localtime():%Y%m%dT%H%M}"
        failed = 0
        for tenant in Tenant.objects.exclude(schema_name="public").filter(status=Tenant.Status.ACTIVE):
            record = services.backup_tenant(tenant=tenant, slot=slot)
            if record.status == record.Status.SUCCEEDED:
                self.stdout.write(f"{tenant.slug}: {record.size} bytes in {record.duration_seconds:.1f} s")
            else:
                failed += 1
                self.stdout.write(self.style.ERROR(f"{tenant.slug}: FAILED — {record.error}"))
        if failed:
            raise CommandError(f"{failed} backup(s) failed.")
