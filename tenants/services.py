"""Provisioning and removal of tenants: one schema, host name and first admin per organisation."""

import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import get_public_schema_name, schema_context, schema_exists

from core import storage
from core.schemas import use_public_schema

from . import cloning, dbroles, keys
from .models import Domain, Tenant

# DNS label rules, no doubled or trailing hyphen (also invalid in an Azure container name).
SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
SLUG_MIN_LENGTH = 3
# The longest container name is "<slug>-backups"; Azure allows 63 characters.
SLUG_MAX_LENGTH = 63 - len(max(storage.CONTAINER_SUFFIXES, key=len)) - 1


def schema_name_for(slug: str) -> str:
    """PostgreSQL schema of a tenant; slugs never contain underscores, so this is one-to-one."""
    return slug.replace("-", "_")


def tenant_slug_validate(slug: str) -> None:
    """Raise ValidationError with a message a person can act on if ``slug`` cannot name a tenant."""
    if not SLUG_MIN_LENGTH <= len(slug) <= SLUG_MAX_LENGTH:
        raise ValidationError(
            _("The slug must be %(min)d to %(max)d characters long (it is %(len)d).")
            % {"min": SLUG_MIN_LENGTH, "max": SLUG_MAX_LENGTH, "len": len(slug)}
        )
    if not SLUG_PATTERN.match(slug):
        raise ValidationError(
            _(
                "The slug may contain only lowercase letters a–z, digits and single hyphens, "
                "and must start with a letter and not end with a hyphen."
            )
        )
    schema = schema_name_for(slug)
    if slug in settings.RESERVED_TENANT_SLUGS or schema.startswith("pg_"):
        raise ValidationError(_("“%(slug)s” is reserved by the platform.") % {"slug": slug})
    if schema == settings.TENANT_BASE_SCHEMA:
        raise ValidationError(_("“%(slug)s” is reserved by the platform.") % {"slug": slug})


def tenant_domain_for(slug: str) -> str:
    return f"{slug}.{settings.BASE_DOMAIN}"


@dataclass(frozen=True)
class ProvisionedTenant:
    tenant: Tenant
    domain: str
    set_password_url: str


def tenant_provision(*, slug: str, name: str, admin_email: str, admin_name: str = "") -> ProvisionedTenant:
    """Create a tenant: schema cloned from the template, domain, roles and a first admin.

    All of it happens in one transaction (PostgreSQL DDL is transactional), so a
    failure at any step leaves nothing behind.
    """
    from accounts import services as account_services

    slug = slug.strip()
    tenant_slug_validate(slug)
    name = name.strip()
    if not name:
        raise ValidationError(_("The organisation needs a name."))
    admin_email = account_services.email_validate(admin_email)
    schema = schema_name_for(slug)
    if Tenant.objects.filter(slug=slug).exists() or schema_exists(schema):
        raise ValidationError(_("A tenant with the slug “%(slug)s” already exists.") % {"slug": slug})
    if not schema_exists(settings.TENANT_BASE_SCHEMA):
        raise ValidationError(_("The template schema is missing: run “manage.py platform_migrate” first."))

    # Containers first: creating them is idempotent, and removed again if the schema fails.
    tenant = Tenant(schema_name=schema, slug=slug, name=name)
    storage.tenant_containers_create(tenant)
    try:
        with dbroles.as_owner(), transaction.atomic():
            tenant.save()
            domain = Domain.objects.create(tenant=tenant, domain=tenant_domain_for(slug), is_primary=True)
            keys.tenant_key_create(tenant=tenant)
            cloning.schema_clone(source=settings.TENANT_BASE_SCHEMA, target=schema)
            cloning.schema_migrate_rest(schema=schema)
            with connection.cursor() as cursor:
                dbroles.tenant_role_ensure(cursor, schema)
            with schema_context(schema):
                account_services.roles_seed()
                admin = account_services.user_create(email=admin_email, full_name=admin_name, roles=["Admin"])
                link = account_services.set_password_url(user=admin, host=domain.domain)
    except BaseException:
        storage.tenant_containers_delete(tenant)
        raise
    finally:
        use_public_schema()
    return ProvisionedTenant(tenant=tenant, domain=domain.domain, set_password_url=link)


def tenant_delete(*, slug: str) -> None:
    """Drop a tenant's schema, domains and stored files. Irreversible."""
    use_public_schema()  # this connection must not stay in the role about to be dropped
    try:
        tenant = Tenant.objects.get(slug=slug)
    except Tenant.DoesNotExist:
        raise ValidationError(_("There is no tenant with the slug “%(slug)s”.") % {"slug": slug})
    with dbroles.as_owner(), transaction.atomic():
        use_public_schema()
        tenant = Tenant.objects.get(pk=tenant.pk)
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still pending in this transaction would block the drop.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        tenant.delete(force_drop=True)
        with connection.cursor() as cursor:
            dbroles.tenant_role_drop(cursor, tenant.schema_name)
    storage.tenant_containers_delete(tenant)


def template_schema_ensure(*, verbosity: int = 0) -> None:
    """Create and migrate the template schema that new tenants are cloned from.

    The template is not a tenant row, so ``migrate_schemas`` alone never migrates it.
    """
    from django.core.management import call_command

    if not schema_exists(settings.TENANT_BASE_SCHEMA):
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{settings.TENANT_BASE_SCHEMA}"')
    call_command(
        "migrate_schemas",
        schema_name=settings.TENANT_BASE_SCHEMA,
        tenant=True,
        interactive=False,
        verbosity=verbosity,
    )


def public_tenant_ensure() -> Tenant:
    """The public schema's tenant row and its domain (the bare BASE_DOMAIN host)."""
    public, _created = Tenant.objects.get_or_create(
        schema_name="public", defaults={"slug": "public", "name": "Platform"}
    )
    Domain.objects.get_or_create(domain=settings.BASE_DOMAIN, defaults={"tenant": public, "is_primary": True})
    return public


def platform_migrate(*, verbosity: int = 0) -> None:
    """Migrate the public schema, the template and every tenant (every deploy runs this)."""
    from django.core.management import call_command

    from accounts import services as account_services

    with dbroles.as_owner():
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        template_schema_ensure(verbosity=verbosity)
        public_tenant_ensure()
        call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)
        with connection.cursor() as cursor:
            dbroles.public_grants_apply(cursor)
        # Role permissions grow with each app, tables with each migration: bring every tenant up to date.
        for tenant in Tenant.objects.exclude(schema_name=get_public_schema_name()):
            with connection.cursor() as cursor:
                dbroles.tenant_role_ensure(cursor, tenant.schema_name)
            with schema_context(tenant.schema_name):
                account_services.roles_seed()
        use_public_schema()
