"""Finding 6 of #16 (votes): fresh accounts cannot stuff a ranking; a vote counts from a confirmed e-mail."""
import pytest

from campaigns.models import Vote

pytestmark = pytest.mark.django_db


def test_accounts_without_a_confirmed_email_cannot_vote(make_user, citizen, open_round, propose, client_for):
    proposal = propose(citizen).json()
    sockpuppets = [make_user(f"sock{i}", email_verified_at=None) for i in range(3)]
    for sock in sockpuppets:
        response = client_for(sock).post(f"/api/proposals/{proposal['id']}/vote/")
        assert response.status_code == 403, response.content
        assert "이메일" in response.json()["detail"]  # the default reader language
    assert Vote.objects.filter(proposal_id=proposal["id"]).count() == 0
    assert client_for(citizen).post(f"/api/proposals/{proposal['id']}/vote/").status_code == 201
    assert Vote.objects.filter(proposal_id=proposal["id"]).count() == 1
