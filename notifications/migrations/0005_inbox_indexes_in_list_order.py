"""The inbox's two lists (a user's unread notifications, all of them) each read an index in their order,
`-created_at, -id`: the badge on every page no longer sorts an officer's whole inbox. Built CONCURRENTLY so a
deploy does not block the notifications every report writes."""
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("notifications", "0004_bilingual_titles_become_stored_messages"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        RemoveIndexConcurrently(model_name="notification", name="notification_user_read_idx"),
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(fields=["user", "is_read", "-created_at", "-id"], name="notification_user_read_idx"),
        ),
        AddIndexConcurrently(
            model_name="notification",
            index=models.Index(fields=["user", "-created_at", "-id"], name="notification_user_newest_idx"),
        ),
    ]
