from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import schema_context

from backups import services
from backups.models import BackupRecord
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Restore a tenant's backup: --into-drill restores into a scratch database, verifies and times it; "
        "--in-place replaces the live schema (kept aside and put back if anything fails)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", required=True)
        parser.add_argument(
            "--backup", type=int, required=True, help="the backup's id (see the backups and restore drills page)"
        )
        mode = parser.add_mutually_exclusive_group(required=True)
        mode.add_argument("--into-drill", action="store_true", help="restore into a scratch database, then drop it")
        mode.add_argument("--in-place", action="store_true", help="replace the live schema with the backup")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation (--in-place)")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.exclude(schema_name="public").filter(slug=options["tenant"]).first()
        if tenant is None:
            raise CommandError(f"There is no tenant with the slug “{options['tenant']}”.")
        with schema_context(tenant.schema_name):
            record = BackupRecord.objects.filter(pk=options["backup"], status=BackupRecord.Status.SUCCEEDED).first()
        if record is None:
            raise CommandError(f"{tenant.slug} has no usable backup {options['backup']}.")
        if options["in_place"]:
            if not options["yes"]:
                answer = input(
                    f"This replaces {tenant.slug}'s data with backup {record.pk} ({record.slot}). "
                    f"Type the slug to confirm: "
                )
                if answer.strip() != tenant.slug:
                    raise CommandError("Not confirmed; nothing was changed.")
            try:
                services.restore_in_place(tenant=tenant, record=record)
            except services.BackupError as error:
                raise CommandError(str(error))
            self.stdout.write(self.style.SUCCESS(f"{tenant.slug} restored in place from backup {record.pk}."))
            return
        if options["in_place"]:
            if not options["yes"]:
                answer = input(
                    f"This replaces {tenant.slug}'s data with backup {record.pk} ({record.slot}). "
                    "Type the slug to confirm: "
                )
                if answer.strip() != tenant.slug:
                    raise CommandError("Not confirmed; nothing was changed.")
            try:
                services.restore_in_place(tenant=tenant, record=record)
            except services.BackupError as error:
                raise CommandError(str(error))
            self.stdout.write(self.style.SUCCESS(f"{tenant.slug} restored in place from backup {record.pk}."))
            return
        drill = services.restore_drill(tenant=tenant, record=record)
        rto_hours, rpo_hours = services.RTO.total_seconds() / 3600, services.RPO.total_seconds() / 3600
        if drill.status != drill.Status.PASSED:
            raise CommandError(f"Drill failed: {drill.error}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored backup {record.pk} of {tenant.slug} into a scratch database and verified "
                f"{drill.tables_checked} tables in {drill.restore_seconds:.1f} s (RTO target {rto_hours:.0f} h); "
                f"backup age {(drill.backup_age_seconds or 0) / 3600:.1f} h (RPO target {rpo_hours:.0f} h)."
            )
        )
