"""The audit table takes this app's name; its append-only trigger is renamed with it; its content type follows.

Rows keep their content. Only the `target_type` labels of the models that moved out of `moderation`
(e.g. 'moderation.report' → 'reports.report') are renamed, so filtering the log by a target finds its
whole history; the append-only trigger is set aside for exactly that one statement.
"""
from django.db import migrations

from geoplatform.migration_ops import content_types_move

MODELS = ("auditlog",)
MOVED = {
    "moderation.reportcategory": "reports.reportcategory",
    "moderation.report": "reports.report",
    "moderation.reportdistrict": "reports.reportdistrict",
    "moderation.reportevent": "reports.reportevent",
    "moderation.reportphoto": "reports.reportphoto",
    "moderation.notification": "notifications.notification",
    "moderation.auditlog": "audit.auditlog",
}

TRIGGER = """
DROP TRIGGER IF EXISTS {old} ON audit_auditlog;
DROP FUNCTION IF EXISTS {old}();
CREATE OR REPLACE FUNCTION {new}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {new}
    BEFORE UPDATE OR DELETE ON audit_auditlog
    FOR EACH ROW EXECUTE FUNCTION {new}();
"""
NEW_TRIGGER = "audit_auditlog_append_only"
OLD_TRIGGER = "moderation_auditlog_append_only"


def relabel(pairs: dict[str, str]) -> str:
    updates = "".join(f"UPDATE audit_auditlog SET target_type = '{new}' WHERE target_type = '{old}';\n"
                      for old, new in pairs.items())
    return (f"ALTER TABLE audit_auditlog DISABLE TRIGGER {NEW_TRIGGER};\n{updates}"
            f"ALTER TABLE audit_auditlog ENABLE TRIGGER {NEW_TRIGGER};")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('audit', '0001_initial'),
        ('moderation', '0004_reports_audit_notifications_move_out'),
    ]

    operations = [
        migrations.AlterModelTable(name='auditlog', table=None),
        migrations.RunSQL(TRIGGER.format(old=OLD_TRIGGER, new=NEW_TRIGGER, table="audit_auditlog"),
                          TRIGGER.format(old=NEW_TRIGGER, new=OLD_TRIGGER, table="moderation_auditlog")),
        migrations.RunSQL(relabel(MOVED), relabel({new: old for old, new in MOVED.items()})),
        content_types_move("moderation", "audit", MODELS),
    ]
