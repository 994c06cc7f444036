from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tenants import services


class Command(BaseCommand):
    help = "Create a tenant: its schema (cloned from the template), host name, roles and first admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--slug", required=True, help="Lowercase letters, digits, hyphens; names the host.")
        parser.add_argument("--name", required=True, help="The organisation's name, e.g. 'Acme AB'.")
        parser.add_argument("--admin-email", required=True, help="E-mail address of the first admin.")
        parser.add_argument("--admin-name", default="", help="Full name of the first admin.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            provisioned = services.tenant_provision(
                slug=options["slug"],
                name=options["name"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages))
        tenant = provisioned.tenant
        self.stdout.write(self.style.SUCCESS(f"Created tenant {tenant.slug} ({tenant.name})."))
        self.stdout.write(f"  Host:   {provisioned.domain}")
        self.stdout.write(f"  Schema: {tenant.schema_name}")
        self.stdout.write(f"  Admin:  {options['admin_email'].strip().lower()}")
        self.stdout.write("  One-time link for the admin to choose a password (valid 72 hours, works once):")
        self.stdout.write(f"  {provisioned.set_password_url}")
