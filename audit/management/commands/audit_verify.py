from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

from audit.anchors import RECENT
from audit.services import chain_verify_anchored


class Command(BaseCommand):
    help = (
        "Verify the keyed hash chain of the audit trail of one tenant (--tenant) or of every tenant and the "
        "platform, against the newest anchors kept in object storage."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--tenant", help="slug of one tenant; all tenants and the public schema when left out")
        parser.add_argument(
            "--all-anchors",
            action="store_true",
            help=f"check every anchor in storage, not only the newest {RECENT}",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        Tenant: Any = get_tenant_model()
        if options["tenant"]:
            tenants = list(Tenant.objects.filter(slug=options["tenant"]))
            if not tenants:
                raise CommandError(f"There is no tenant with the slug “{options['tenant']}”.")
        else:
            tenants = list(Tenant.objects.all())
        failed = 0
        for tenant in tenants:
            label = "platform (public)" if tenant.schema_name == get_public_schema_name() else tenant.slug
            with schema_context(tenant.schema_name):
                report = chain_verify_anchored(anchor_limit=None if options["all_anchors"] else RECENT)
            if report.intact:
                self.stdout.write(f"{label}: intact, {report.checked} events, {report.anchors_checked} anchors checked")
            else:
                self.stdout.write(
                    self.style.ERROR(
                        f"{label}: BROKEN at event {report.broken_at} — {report.reason} "
                        f"({report.anchors_checked} anchors checked)"
                    )
                )
            for refused in report.anchors_refused:
                self.stdout.write(self.style.ERROR(f"{label}: anchor {refused.name} REFUSED — {refused.reason}"))
            failed += not report.passed
        if failed:
            raise CommandError(f"{failed} audit chain(s) broken or with refused anchors.")
