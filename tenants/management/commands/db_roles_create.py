"""Create the least-privilege logins of an installation (run once, and after changing a password)."""

from typing import Any

import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tenants import dbroles


class Command(BaseCommand):
    help = (
        "Create or update the owner, app, backup and drill logins named by DATABASE_OWNER_URL, "
        "DATABASE_URL, DATABASE_BACKUP_URL and DATABASE_DRILL_URL, with their passwords, and hand the "
        "database to the owner. Connects with DATABASE_ADMIN_URL (a superuser, used for nothing else)."
    )
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        admin = settings.DATABASE_ADMIN
        if not admin:
            raise CommandError("Set DATABASE_ADMIN_URL to a superuser of the database server.")
        app = settings.DATABASES["default"]
        logins = {"app": {"USER": app["USER"], "PASSWORD": app.get("PASSWORD") or ""}}
        for component in dbroles.COMPONENTS:
            params = settings.DATABASE_ROLES.get(component) or {}
            if not params.get("USER"):
                raise CommandError(f"Set DATABASE_{component.upper()}_URL: each component logs in as its own role.")
            logins[component] = {"USER": params["USER"], "PASSWORD": params.get("PASSWORD") or ""}
        users = [login["USER"] for login in logins.values()]
        if len(set(users)) != len(users) or admin["USER"] in users:
            raise CommandError("The admin, owner, app, backup and drill logins must be five different roles.")
        database = app["NAME"]
        with (
            psycopg.connect(
                dbname=database,
                user=admin["USER"],
                password=admin.get("PASSWORD") or None,
                host=admin.get("HOST") or None,
                port=admin.get("PORT") or None,
            ) as connection,
            connection.transaction(),
        ):
            dbroles.roles_bootstrap(connection.cursor(), database=database, logins=logins)
        self.stdout.write(self.style.SUCCESS(f"Roles {', '.join(users)} are ready on {database}."))
