"""Each filter of the audit log's list (none, actor, target type, target id, action prefix) reads an index that
yields its rows newest first or finds only a few. Built CONCURRENTLY: every report write appends to the log."""
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("audit", "0002_table_named_for_the_app"),
    ]

    operations = [
        RemoveIndexConcurrently(model_name="auditlog", name="auditlog_target_idx"),
        RemoveIndexConcurrently(model_name="auditlog", name="auditlog_action_idx"),
        AddIndexConcurrently(
            model_name="auditlog",
            index=models.Index(fields=["-created_at", "-id"], name="auditlog_newest_idx"),
        ),
        AddIndexConcurrently(
            model_name="auditlog",
            index=models.Index(fields=["actor", "-created_at", "-id"], name="auditlog_actor_newest_idx"),
        ),
        AddIndexConcurrently(
            model_name="auditlog",
            index=models.Index(fields=["target_type", "-created_at", "-id"], name="auditlog_type_newest_idx"),
        ),
        AddIndexConcurrently(
            model_name="auditlog",
            index=models.Index(fields=["target_id", "target_type"], name="auditlog_target_idx"),
        ),
        AddIndexConcurrently(
            model_name="auditlog",
            index=models.Index(fields=["action", "created_at"], name="auditlog_action_idx",
                               opclasses=["varchar_pattern_ops", "timestamptz_ops"]),
        ),
    ]
