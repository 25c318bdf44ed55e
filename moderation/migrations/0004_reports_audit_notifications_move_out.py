"""Reports, notifications and the audit log leave this app's state for their own apps; no table is touched."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_initial'),
        ('audit', '0001_initial'),
        ('notifications', '0001_initial'),
        ('moderation', '0003_flaggable_proposals_and_comments'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='notification',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='notification',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='report',
                    name='category',
                ),
                migrations.RemoveField(
                    model_name='report',
                    name='districts',
                ),
                migrations.RemoveField(
                    model_name='report',
                    name='duplicate_of',
                ),
                migrations.RemoveField(
                    model_name='report',
                    name='reporter',
                ),
                migrations.RemoveField(
                    model_name='reportphoto',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='reportevent',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='reportdistrict',
                    name='report',
                ),
                migrations.RemoveField(
                    model_name='reportdistrict',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='reportevent',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='reportevent',
                    name='district',
                ),
                migrations.RemoveField(
                    model_name='reportevent',
                    name='to_district',
                ),
                migrations.DeleteModel(
                    name='AuditLog',
                ),
                migrations.DeleteModel(
                    name='Notification',
                ),
                migrations.DeleteModel(
                    name='ReportCategory',
                ),
                migrations.DeleteModel(
                    name='ReportPhoto',
                ),
                migrations.DeleteModel(
                    name='Report',
                ),
                migrations.DeleteModel(
                    name='ReportDistrict',
                ),
                migrations.DeleteModel(
                    name='ReportEvent',
                ),
            ],
            database_operations=[],
        ),
    ]
