from typing import Any

from django.core.management.base import BaseCommand

from tenants import services


class Command(BaseCommand):
    help = "Migrate the public schema, the tenant template schema and every tenant (run on each deploy)."

    def handle(self, *args: Any, **options: Any) -> None:
        services.platform_migrate(verbosity=max(0, options["verbosity"] - 1))
        self.stdout.write(self.style.SUCCESS("Public schema, template and tenants are migrated."))
