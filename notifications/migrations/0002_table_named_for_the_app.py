"""The notifications table takes this app's name (rows and ids stay), and its content type follows it."""
from django.db import migrations

from geoplatform.migration_ops import content_types_move

MODELS = ("notification",)


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('notifications', '0001_initial'),
        ('moderation', '0004_reports_audit_notifications_move_out'),
    ]

    operations = [
        migrations.AlterModelTable(name='notification', table=None),
        content_types_move("moderation", "notifications", MODELS),
    ]
