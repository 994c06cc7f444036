"""Typed access to django-tenants' per-connection schema (its attributes are not in django-stubs)."""

from typing import cast

from django.db import connection
from django_tenants.postgresql_backend.base import DatabaseWrapper


def _tenant_connection() -> DatabaseWrapper:
    return cast(DatabaseWrapper, connection)


def current_schema_name() -> str:
    return str(_tenant_connection().schema_name)


def use_public_schema() -> None:
    _tenant_connection().set_schema_to_public()
