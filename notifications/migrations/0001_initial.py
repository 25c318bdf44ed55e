"""Notifications move here from `moderation`: the model joins this app's state; its table and rows stay (renamed in 0002)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('moderation', '0003_flaggable_proposals_and_comments'),
        ('reports', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=32)),
                        ('title', models.CharField(max_length=200)),
                        ('body', models.TextField(blank=True)),
                        ('is_read', models.BooleanField(default=False)),
                        ('emailed_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='reports.report')),
                        ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'moderation_notification',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['user', 'is_read'], name='notification_user_read_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
