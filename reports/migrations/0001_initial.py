"""Reports move here from `moderation`: the models join this app's state; their tables and rows stay (renamed in 0002)."""

import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('moderation', '0003_flaggable_proposals_and_comments'),
        ('districts', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReportCategory',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40, unique=True)),
                        ('name_ko', models.CharField(max_length=80)),
                        ('name_en', models.CharField(max_length=120)),
                        ('description_ko', models.TextField(blank=True)),
                        ('description_en', models.TextField(blank=True)),
                        ('responsible_body_ko', models.CharField(blank=True, help_text='default responsible body', max_length=120)),
                        ('responsible_body_en', models.CharField(blank=True, max_length=160)),
                        ('is_sensitive', models.BooleanField(default=False, help_text='the public sees the location only to a 200 m cell (e.g. dark alleys)')),
                        ('acknowledge_days', models.PositiveSmallIntegerField(default=2, help_text='acknowledge within N working days')),
                        ('resolve_days', models.PositiveSmallIntegerField(default=14, help_text='resolve within N working days')),
                        ('is_active', models.BooleanField(default=True)),
                        ('position', models.PositiveSmallIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'moderation_reportcategory',
                        'verbose_name_plural': 'report categories',
                        'ordering': ['position', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='Report',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('geom', django.contrib.gis.db.models.fields.GeometryField(spatial_index=False, srid=4326)),
                        ('public_geom', django.contrib.gis.db.models.fields.GeometryField(editable=False, spatial_index=False, srid=4326)),
                        ('description', models.TextField(max_length=2000)),
                        ('contact_preference', models.CharField(choices=[('email', 'in the app and by e-mail / 앱과 이메일'), ('app', 'in the app only / 앱에서만')], default='email', max_length=8)),
                        ('channel', models.CharField(choices=[('api', 'API / web'), ('open311', 'Open311')], default='api', max_length=16)),
                        ('status', models.CharField(choices=[('submitted', 'submitted / 접수'), ('acknowledged', 'acknowledged / 확인'), ('in_progress', 'in progress / 처리 중'), ('resolved', 'resolved / 처리 완료'), ('rejected', 'rejected / 반려'), ('duplicate', 'duplicate / 중복'), ('not_our_responsibility', 'not our responsibility / 소관 아님')], default='submitted', max_length=32)),
                        ('responsible_body', models.CharField(blank=True, help_text='who is responsible, when not a district office', max_length=200)),
                        ('is_hidden', models.BooleanField(default=False)),
                        ('token', models.UUIDField(default=uuid.uuid4, editable=False, help_text='Open311 token', unique=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_on', models.DateField(editable=False, help_text='local (Seoul) date: what the public sees')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('acknowledge_due', models.DateField(editable=False)),
                        ('resolve_due', models.DateField(editable=False)),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('duplicate_of', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='duplicates', to='reports.report')),
                        ('reporter', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='reports', to=settings.AUTH_USER_MODEL)),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reports', to='reports.reportcategory')),
                    ],
                    options={
                        'db_table': 'moderation_report',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='ReportDistrict',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('submitted', 'submitted / 접수'), ('acknowledged', 'acknowledged / 확인'), ('in_progress', 'in progress / 처리 중'), ('resolved', 'resolved / 처리 완료'), ('rejected', 'rejected / 반려'), ('duplicate', 'duplicate / 중복'), ('not_our_responsibility', 'not our responsibility / 소관 아님')], default='submitted', max_length=32)),
                        ('answer', models.TextField(blank=True, help_text='the latest public message of this district')),
                        ('acknowledged_at', models.DateTimeField(blank=True, null=True)),
                        ('closed_at', models.DateTimeField(blank=True, null=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('district', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='report_links', to='districts.district')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_districts', to='reports.report')),
                    ],
                    options={
                        'db_table': 'moderation_reportdistrict',
                        'ordering': ['district__code'],
                    },
                ),
                migrations.AddField(
                    model_name='report',
                    name='districts',
                    field=models.ManyToManyField(related_name='reports', through='reports.ReportDistrict', to='districts.district'),
                ),
                migrations.CreateModel(
                    name='ReportEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('created', 'Created'), ('status', 'Status'), ('transfer', 'Transfer'), ('note', 'Note')], max_length=16)),
                        ('from_status', models.CharField(blank=True, max_length=32)),
                        ('to_status', models.CharField(blank=True, max_length=32)),
                        ('message', models.TextField(blank=True, help_text='public message, or the internal note for kind=note')),
                        ('data', models.JSONField(blank=True, default=dict)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('district', models.ForeignKey(blank=True, help_text='the district acting (or transferring away)', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='districts.district')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='reports.report')),
                        ('to_district', models.ForeignKey(blank=True, help_text='transfers: the district receiving', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='districts.district')),
                    ],
                    options={
                        'db_table': 'moderation_reportevent',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='ReportPhoto',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('image', models.ImageField(height_field='height', upload_to='reports/%Y/%m/', width_field='width')),
                        ('thumbnail', models.ImageField(upload_to='reports/%Y/%m/')),
                        ('width', models.PositiveIntegerField(default=0)),
                        ('height', models.PositiveIntegerField(default=0)),
                        ('content_type', models.CharField(max_length=32)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='photos', to='reports.report')),
                    ],
                    options={
                        'db_table': 'moderation_reportphoto',
                        'ordering': ['id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='reportdistrict',
                    index=models.Index(fields=['district', 'status'], name='reportdistrict_queue_idx'),
                ),
                migrations.AddConstraint(
                    model_name='reportdistrict',
                    constraint=models.UniqueConstraint(fields=('report', 'district'), name='reportdistrict_unique'),
                ),
                migrations.AddIndex(
                    model_name='report',
                    index=django.contrib.postgres.indexes.GistIndex(fields=['geom'], name='report_geom_gist'),
                ),
                migrations.AddIndex(
                    model_name='report',
                    index=django.contrib.postgres.indexes.GistIndex(fields=['public_geom'], name='report_public_geom_gist'),
                ),
                migrations.AddIndex(
                    model_name='report',
                    index=models.Index(fields=['status', 'created_on'], name='report_status_created_idx'),
                ),
                migrations.AddIndex(
                    model_name='report',
                    index=models.Index(fields=['created_at'], name='report_created_at_idx'),
                ),
                migrations.AddIndex(
                    model_name='reportevent',
                    index=models.Index(fields=['report', 'created_at'], name='reportevent_report_idx'),
                ),
            ],
            database_operations=[],
        ),
    ]
