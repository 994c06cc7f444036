from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from backups import services
from backups.models import BackupRecord
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Restore a tenant's backup into a scratch database, verify it against the backup and time it (a drill)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True)
        parser.add_argument("--backup", type=int, required=True, help="the backup's id (see the operations page)")
        parser.add_argument(
            "--into-drill",
            action="store_true",
            required=True,
            help="restore into a scratch database and drop it afterwards",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.exclude(schema_name="public").filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"There is no tenant with the slug “{options['tenant']}”.")
        with schema_context(tenant.schema_name):
            record = BackupRecord.objects.filter(pk=options["backup"], status=BackupRecord.Status.SUCCEEDED).first()
        if record is None:
            raise CommandError(f"{tenant.slug} has no usable backup {options['backup']}.")
        drill = services.restore_drill(tenant=tenant, record=record)
        if drill.status != drill.Status.PASSED:
            raise CommandError(f"Drill failed: {drill.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored backup {record.pk} of {tenant.slug} into a scratch database and verified "
                f"{drill.tables_checked} tables in {drill.restore_seconds:.1f} s (RTO target {services.RTO}); "
                f"backup age {(drill.backup_age_seconds or 0) / 3600:.1f} h (RPO target {services.RPO})."
            )
        )
