"""#16 (votes): a rating of an indicator counts once per person, like a proposal vote or a feedback "+1":
accounts without a confirmed e-mail cannot rate an indicator or comment on it."""
import pytest

from dashboards.models import IndicatorFeedback

pytestmark = pytest.mark.django_db


def test_accounts_without_a_confirmed_email_cannot_rate_or_comment_on_an_indicator(make_user, citizen, client_for,
                                                                                   indicator, api):
    url = f"/api/indicators/{indicator.pk}/feedback/"
    sockpuppets = [make_user(f"sock{i}", email_verified_at=None) for i in range(3)]
    for sock in sockpuppets:
        rating = client_for(sock).post(url, {"rating": 1}, format="json")
        assert rating.status_code == 403, rating.content
        assert rating.json()["detail"] == "지표를 평가하거나 의견을 남기려면 먼저 이메일 주소를 확인해 주세요."
        comment = client_for(sock).post(url, {"body": "숫자가 틀렸어요"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert comment.status_code == 403
        assert comment.json()["detail"] == "Confirm your e-mail address before rating or commenting on an indicator."
    assert not IndicatorFeedback.objects.filter(indicator=indicator).exists()
    confirmed = client_for(citizen).post(url, {"rating": 4, "body": "좋아요"}, format="json")
    assert confirmed.status_code == 201, confirmed.content
    assert IndicatorFeedback.objects.filter(indicator=indicator).count() == 1
