"""The notifications table takes this app's name (rows and ids stay), and its content type follows it."""
from django.db import migrations

MODELS = ("notification",)


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
        ('notifications', '0001_initial'),
        ('moderation', '0004_reports_audit_notifications_move_out'),
    ]

    operations = [
        migrations.AlterModelTable(name='notification', table=None),
        migrations.RunPython(content_types_move("moderation", "notifications", MODELS),
                             content_types_move("notifications", "moderation", MODELS)),
    ]
