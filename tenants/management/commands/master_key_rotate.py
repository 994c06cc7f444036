from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from tenants import keys
from tenants.models import TenantKey


class Command(BaseCommand):
    help = (
        "Re-wrap every tenant key under the master key in ISMS_MASTER_KEY. The old master key is given in "
        "ISMS_MASTER_KEY_PREVIOUS (several: comma-separated) until this has finished. Safe to run again: "
        "an interrupted run carries on where it stopped."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(record: TenantKey, changed: bool) -> None:
            state = "re-wrapped" if changed else "already wrapped by the new master key"
            self.stdout.write(f"  {record.tenant.slug}: key {record.key_id} {state}")

        try:
            rotation = keys.master_key_rotate(progress=progress)
        except (ImproperlyConfigured, keys.TenantKeyError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Every tenant key is wrapped by master key {rotation.master_key_id} "
                f"({rotation.rewrapped} re-wrapped now, {rotation.already} already were). "
                "ISMS_MASTER_KEY_PREVIOUS may now be removed."
            )
        )
