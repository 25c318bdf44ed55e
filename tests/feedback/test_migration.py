"""Moving feedback out of campaigns keeps every row and renames the content types (state-only migration)."""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("campaigns", "0004_proposal_is_hidden_proposalcomment_is_hidden"), ("feedback", None)]
AFTER = [("campaigns", "0005_feedback_moves_to_its_own_app"), ("feedback", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1]]).apps


@pytest.fixture
def back_to_the_latest_schema():
    """Going back to campaigns 0004 also unapplies what depends on it (projects, later campaigns):
    whatever the test does, the database ends on every app's latest migration for the tests after it."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_feedback_rows_and_content_types_survive_the_move_to_the_feedback_app(make_user, back_to_the_latest_schema):
    author, supporter = make_user("before-move"), make_user("me-too")
    old_apps = _migrate(BEFORE)
    try:
        OldFeedback = old_apps.get_model("campaigns", "Feedback")
        OldSupport = old_apps.get_model("campaigns", "FeedbackSupport")
        ContentType.objects.filter(app_label="feedback").delete()
        ContentType.objects.get_or_create(app_label="campaigns", model="feedback")
        old = OldFeedback.objects.create(kind="wish", text="이전 전에 보낸 의견", author_id=author.pk, state="planned",
                                         answer="곧 합니다.")
        OldSupport.objects.create(feedback_id=old.pk, user_id=author.pk)
        OldSupport.objects.create(feedback_id=old.pk, user_id=supporter.pk)
    finally:
        new_apps = _migrate(AFTER)

    Feedback = new_apps.get_model("feedback", "Feedback")
    moved = Feedback.objects.get(pk=old.pk)
    assert (moved.text, moved.state, moved.answer, moved.author_id) == ("이전 전에 보낸 의견", "planned", "곧 합니다.", author.pk)
    assert new_apps.get_model("feedback", "FeedbackSupport").objects.filter(feedback_id=old.pk).count() == 2
    assert ContentType.objects.filter(app_label="feedback", model="feedback").exists()
    assert not ContentType.objects.filter(app_label="campaigns", model="feedback").exists()
    from feedback.selectors import roadmap

    assert [(f.pk, f.people) for f in roadmap()["planned"]] == [(old.pk, 2)]
