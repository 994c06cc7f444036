"""Make audit events append-only in the database: UPDATE, DELETE and TRUNCATE are refused.

The function lives in the public schema (shared by every tenant's trigger); each schema's
table gets its own trigger, which cloning copies.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION public.isms_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused on %.%)', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

TRIGGERS = """
CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION public.isms_audit_append_only();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION public.isms_audit_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS audit_event_no_change ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGERS, REVERSE)]
