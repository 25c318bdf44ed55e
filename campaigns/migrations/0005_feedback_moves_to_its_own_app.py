"""Feedback and its support rows now belong to the `feedback` app (feedback/migrations/0001).

State only: the tables stay, with their rows, and are owned by `feedback` from here on.
"""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("campaigns", "0004_proposal_is_hidden_proposalcomment_is_hidden"),
        ("feedback", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name="FeedbackSupport"),
                migrations.DeleteModel(name="Feedback"),
            ],
        ),
    ]
