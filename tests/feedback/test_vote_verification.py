"""#16 (votes): a "+1" on platform feedback counts once per person, like a proposal vote: fresh accounts
without a confirmed e-mail cannot push a wish up the roadmap."""
import pytest

from feedback.models import FeedbackSupport

pytestmark = pytest.mark.django_db


def test_accounts_without_a_confirmed_email_cannot_support_feedback(make_user, citizen, citizen2, client_for, api):
    wish = client_for(citizen).post("/api/feedback/", {"kind": "wish", "text": "자전거 도로 레이어를 추가해 주세요.",
                                                       "page_url": "/maps/3/"}, format="json").json()
    sockpuppets = [make_user(f"sock{i}", email_verified_at=None) for i in range(3)]
    for sock in sockpuppets:
        response = client_for(sock).post(f"/api/feedback/{wish['id']}/support/")
        assert response.status_code == 403, response.content
        assert response.json()["detail"] == "공감하려면 먼저 이메일 주소를 확인해 주세요."
        english = client_for(sock).post(f"/api/feedback/{wish['id']}/support/", HTTP_ACCEPT_LANGUAGE="en")
        assert english.json()["detail"] == "Confirm your e-mail address before voting."
    assert not FeedbackSupport.objects.filter(user__in=sockpuppets).exists()
    assert api.get(f"/api/feedback/{wish['id']}/").json()["people"] == 1
    assert client_for(citizen2).post(f"/api/feedback/{wish['id']}/support/").status_code == 201
    assert api.get(f"/api/feedback/{wish['id']}/").json()["people"] == 2
