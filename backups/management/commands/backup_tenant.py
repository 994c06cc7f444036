from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from backups import services
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Back up one tenant now: its schema and files, encrypted, into its own backup container."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True, help="the tenant's slug")
        parser.add_argument("--slot", default="", help="schedule slot (default: a manual slot of this minute)")

    def handle(self, *args: Any, **options: Any) -> None:
        from django.utils import timezone

        tenant = Tenant.objects.exclude(schema_name="public").filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"There is no tenant with the slug “{options['tenant']}”.")
        slot = options["slot"] or f"manual-{timezone.localtime():%Y%m%dT%H%M}"
        try:
            record = services.backup_tenant(tenant=tenant, slot=slot)
        except services.BackupError as error:
            raise CommandError(str(error))
        if record.status != record.Status.SUCCEEDED:
            raise CommandError(f"Backup {record.pk} of {tenant.slug} failed: {record.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Backup {record.pk} of {tenant.slug}: {record.size} bytes, sha256 {record.sha256}, "
                f"{record.duration_seconds:.1f} s, object {record.object_name}"
            )
        )
