from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_public_schema_name, schema_context

from audit.services import chain_verify
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Verify the hash chain of the audit trail of one tenant (--tenant) or of every tenant and the platform."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="slug of one tenant; all tenants and the public schema when left out")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["tenant"]:
            tenants = list(Tenant.objects.filter(slug=options["tenant"]))
            if not tenants:
                raise CommandError(f"There is no tenant with the slug “{options['tenant']}”.")
        else:
            tenants = list(Tenant.objects.all())
        broken = 0
        for tenant in tenants:
            label = "platform (public)" if tenant.schema_name == get_public_schema_name() else tenant.slug
            with schema_context(tenant.schema_name):
                report = chain_verify()
            if report.intact:
                self.stdout.write(f"{label}: intact, {report.checked} events")
            else:
                broken += 1
                self.stdout.write(self.style.ERROR(f"{label}: BROKEN at event {report.broken_at} — {report.reason}"))
        if broken:
            raise CommandError(f"{broken} audit chain(s) broken.")
