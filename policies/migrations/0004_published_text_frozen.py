"""Published text never changes: once a version leaves draft, its number, text and summary are
frozen in the database, it cannot move back to draft, and it cannot be deleted.

The function lives in the public schema (shared by every tenant's trigger); each schema's
table gets its own trigger, which cloning copies.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION public.isms_policy_version_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'draft' THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'policy version % is no longer a draft and cannot be deleted', OLD.id
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF NEW.body IS DISTINCT FROM OLD.body OR NEW.change_summary IS DISTINCT FROM OLD.change_summary
           OR NEW.number IS DISTINCT FROM OLD.number OR NEW.policy_id IS DISTINCT FROM OLD.policy_id
           OR NEW.status = 'draft' THEN
            RAISE EXCEPTION 'the text of policy version % is frozen (status %)', OLD.id, OLD.status
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
"""

TRIGGER = """
CREATE TRIGGER policies_version_frozen BEFORE UPDATE OR DELETE ON policies_policyversion
    FOR EACH ROW EXECUTE FUNCTION public.isms_policy_version_frozen();
"""

REVERSE = "DROP TRIGGER IF EXISTS policies_version_frozen ON policies_policyversion;"


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_policyversion_one_pending")]

    operations = [migrations.RunSQL(FUNCTION + TRIGGER, REVERSE)]
