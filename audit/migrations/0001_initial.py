"""The audit log moves here from `moderation`: the model joins this app's state; its table and rows stay (renamed in 0002)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('moderation', '0003_flaggable_proposals_and_comments'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditLog',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('action', models.CharField(max_length=64)),
                        ('target_type', models.CharField(blank=True, max_length=64)),
                        ('target_id', models.CharField(blank=True, max_length=64)),
                        ('before', models.JSONField(blank=True, null=True)),
                        ('after', models.JSONField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('actor', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'moderation_auditlog',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['target_type', 'target_id'], name='auditlog_target_idx'), models.Index(fields=['action', 'created_at'], name='auditlog_action_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
