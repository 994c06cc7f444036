from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import services
from tenants.models import Tenant


class Command(BaseCommand):
    help = "Delete a tenant with its schema and stored files. Irreversible: asks for confirmation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        slug = options["slug"]
        tenant = Tenant.objects.exclude(schema_name="public").filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"There is no tenant with the slug “{slug}”.")
        if not options["yes"]:
            self.stdout.write(f"This deletes {tenant.name} ({slug}): its schema, users and files, irreversibly.")
            answer = input(f"Type the slug “{slug}” to confirm: ")
            if answer.strip() != slug:
                raise CommandError("Not confirmed; nothing was deleted.")
        try:
            services.tenant_delete(slug=slug)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        self.stdout.write(self.style.SUCCESS(f"Deleted tenant {slug}."))
