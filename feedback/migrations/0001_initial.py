"""Feedback and its "me too" rows move here from `campaigns`, keeping their tables and every row.

Only Django's picture of the models changes (state); the database keeps `campaigns_feedback` and
`campaigns_feedbacksupport` as they are. The content types are renamed so that permissions and
anything else pointing at them follow the models.
"""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from geoplatform.migration_ops import content_types_move

MODELS = ("feedback", "feedbacksupport")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("campaigns", "0004_proposal_is_hidden_proposalcomment_is_hidden"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Feedback",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("bug", "Something is broken"), ("wish", "A wish"), ("confusing", "A confusing page")], max_length=16)),
                        ("text", models.TextField(max_length=4000)),
                        ("page_url", models.CharField(blank=True, help_text="Path of the page it came from (no query).", max_length=500)),
                        ("screenshot", models.ImageField(blank=True, upload_to="feedback/%Y/%m/")),
                        ("screenshot_thumbnail", models.ImageField(blank=True, upload_to="feedback/%Y/%m/")),
                        ("state", models.CharField(choices=[("new", "New"), ("planned", "Planned"), ("done", "Done"), ("declined", "Declined")], default="new", max_length=16)),
                        ("answer", models.TextField(blank=True, help_text="Staff's public answer or reason.", max_length=4000)),
                        ("answered_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("author", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="feedback", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "campaigns_feedback",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(fields=["state", "answered_at"], name="campaigns_feedback_state_idx"),
                            models.Index(fields=["author", "created_at"], name="campaigns_feedback_author_idx"),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="FeedbackSupport",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("feedback", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="supports", to="feedback.feedback")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "db_table": "campaigns_feedbacksupport",
                        "constraints": [models.UniqueConstraint(fields=("feedback", "user"), name="campaigns_feedback_support_once")],
                    },
                ),
            ],
        ),
        content_types_move("campaigns", "feedback", MODELS),
    ]
