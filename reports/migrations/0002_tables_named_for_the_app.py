"""The report tables take this app's name (rows, ids, indexes and constraints stay as they are), and the
content types of the moved models follow them, so permissions and admin history still resolve."""
from django.db import migrations

MODELS = ("reportcategory", "report", "reportdistrict", "reportevent", "reportphoto")


def content_types_move(old_label: str, new_label: str, models: tuple[str, ...]):
    def move(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        for model in models:
            if not ContentType.objects.filter(app_label=new_label, model=model).exists():
                ContentType.objects.filter(app_label=old_label, model=model).update(app_label=new_label)

    return move


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('reports', '0001_initial'),
        ('moderation', '0004_reports_audit_notifications_move_out'),
    ]

    operations = [
        *[migrations.AlterModelTable(name=model, table=None) for model in MODELS],
        migrations.RunPython(content_types_move("moderation", "reports", MODELS),
                             content_types_move("reports", "moderation", MODELS)),
    ]
