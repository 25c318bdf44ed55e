"""The audit log refuses UPDATE and DELETE in the database itself, whoever connects."""
from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION moderation_auditlog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'moderation_auditlog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER moderation_auditlog_append_only
    BEFORE UPDATE OR DELETE ON moderation_auditlog
    FOR EACH ROW EXECUTE FUNCTION moderation_auditlog_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS moderation_auditlog_append_only ON moderation_auditlog;
DROP FUNCTION IF EXISTS moderation_auditlog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]
