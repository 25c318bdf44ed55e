"""Notifications stored before one-language-per-reader ("한국어 / English" titles) read in one language."""
import importlib

import pytest
from django.apps import apps
from django.utils import translation

from notifications.models import Notification
from notifications.services import notification_text

migration = importlib.import_module("notifications.migrations.0004_bilingual_titles_become_stored_messages")


@pytest.mark.django_db
def test_old_bilingual_notification_titles_read_in_each_readers_language(citizen):
    old = {
        "proposal_answered": "서울시가 제안에 답했습니다 (선정) / The city answered your proposal (selected)",
        "feedback_answered": "요청하신 의견에 답했습니다 (반영 예정) / Your feedback was answered (planned)",
        "campaign_started": "함께 고른 지도가 열렸습니다 / The map you chose is open: 성북구 어두운 골목",
        "project_update": "구독한 사업에 새 소식이 있습니다: 종로 보행친화거리",  # one language already: kept
    }
    rows = {kind: Notification.objects.create(user=citizen, kind=kind, title=title) for kind, title in old.items()}
    migration.forwards(apps, None)
    read = {}
    for language in ("ko", "en"):
        with translation.override(language):
            read[language] = {kind: notification_text(Notification.objects.get(pk=row.pk))[0]
                              for kind, row in rows.items()}
    assert read["en"] == {
        "proposal_answered": "The city answered your proposal: Selected",
        "feedback_answered": "Your feedback was answered: Planned",
        "campaign_started": "The map you chose is open: 성북구 어두운 골목",  # the campaign's title is content
        "project_update": old["project_update"],
    }
    assert read["ko"]["proposal_answered"] == "서울시가 제안에 답했습니다: 선정"
    assert read["ko"]["feedback_answered"] == "요청하신 의견에 답했습니다: 계획"
    migration.backwards(apps, None)
    assert Notification.objects.get(pk=rows["proposal_answered"].pk).content == {}
