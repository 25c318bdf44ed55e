"""The report tables take this app's name (rows, ids, indexes and constraints stay as they are), and the
content types of the moved models follow them, so permissions and admin history still resolve."""
from django.db import migrations

from geoplatform.migration_ops import content_types_move

MODELS = ("reportcategory", "report", "reportdistrict", "reportevent", "reportphoto")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('reports', '0001_initial'),
        ('moderation', '0004_reports_audit_notifications_move_out'),
    ]

    operations = [
        *[migrations.AlterModelTable(name=model, table=None) for model in MODELS],
        content_types_move("moderation", "reports", MODELS),
    ]
