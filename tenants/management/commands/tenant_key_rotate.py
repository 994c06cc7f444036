from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import keys
from tenants.models import Tenant


class Command(BaseCommand):
    help = (
        "Give a tenant a new key for new objects and backups; its older objects stay readable "
        "(each names its key in its header, and retired keys are kept)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="The tenant whose key to rotate.")

    def handle(self, *args: Any, **options: Any) -> None:
        tenant = Tenant.objects.filter(slug=options["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {options['slug']!r}.")
        try:
            created = keys.tenant_key_rotate(tenant=tenant)
        except (ImproperlyConfigured, keys.TenantKeyError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Tenant {tenant.slug} now seals new objects with key {created.key_id}."))
