"""django-tenants' backend that also switches the PostgreSQL role with the schema.

Activating a tenant issues ``SET search_path = "<schema>", public; SET ROLE "<tenant role>"``
in one round trip; activating the public schema issues ``RESET ROLE``. Connections made for
the owner (``tenants.dbroles.as_owner``) carry ``TENANT_ROLES: False`` and switch only the path.
"""

from typing import Any

from django_tenants.postgresql_backend import base
from django_tenants.utils import get_limit_set_calls, get_public_schema_name, quote_schema_name
from psycopg.pq import TransactionStatus

from tenants.dbroles import tenant_role


class DatabaseWrapper(base.DatabaseWrapper):
    _setting_search_path: bool
    search_path_set_schemas: list[str] | None

    def _handle_search_path(self, cursor: Any = None) -> None:
        if self._setting_search_path:
            return  # obtaining the cursor below re-enters _cursor()
        if get_limit_set_calls() and self.search_path_set_schemas:
            return
        paths = self._get_cursor_search_paths()
        statement = f"SET search_path = {','.join(quote_schema_name(path) for path in paths)}"
        if self.settings_dict.get("TENANT_ROLES", True):
            if self.schema_name == get_public_schema_name():
                statement += "; RESET ROLE"
            else:
                role = tenant_role(self.schema_name, database=self.settings_dict["NAME"])
                statement += "; SET ROLE " + quote_schema_name(role)
        if self.connection.info.transaction_status == TransactionStatus.INERROR:
            # An aborted transaction refuses every statement; the next cursor tries again.
            self.search_path_set_schemas = None
            return
        self._setting_search_path = True
        own_cursor = cursor is None
        active = self.connection.cursor() if own_cursor else cursor
        try:
            # A failure propagates: a query must never run under the previous schema and role.
            active.execute(statement)
            self.search_path_set_schemas = paths
        finally:
            self._setting_search_path = False
            if own_cursor:
                active.close()
