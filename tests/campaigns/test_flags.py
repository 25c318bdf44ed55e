"""Proposals and their comments can be flagged like any crowd content: three people hide them."""
import pytest

from campaigns import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def proposal(citizen, open_round):
    return services.proposal_create(proposer=citizen, title="성북구 어두운 골목 지도", why="밤길이 어둡습니다.",
                                    area_scope="districts", district_codes=["11290"])


def _flag(client, target_type, target_id):
    return client.post("/api/flags/", {"target_type": target_type, "target_id": target_id, "reason": "abuse"},
                       format="json")


def test_three_distinct_flags_hide_a_proposal_from_the_public_list_and_layer(proposal, voters, api, client_for, staff):
    assert any(p["id"] == proposal.pk for p in api.get("/api/proposals/").json()["results"])
    for voter in voters[:3]:
        assert _flag(client_for(voter), "proposal", proposal.pk).status_code == 201
    proposal.refresh_from_db()
    assert proposal.is_hidden
    assert all(p["id"] != proposal.pk for p in api.get("/api/proposals/").json()["results"])
    from layers.registry import Viewer, registry

    layer = registry.get("proposals")
    assert not layer.get_queryset(Viewer.anonymous()).filter(pk=proposal.pk).exists()
    queue = client_for(staff).get("/api/moderation/flags/").json()["results"]
    assert {(g["target_type"], g["target_id"]) for g in queue} == {("proposal", proposal.pk)}
    restored = client_for(staff).post(f"/api/moderation/flags/proposal/{proposal.pk}/", {"decision": "restore"},
                                      format="json")
    assert restored.status_code == 200
    proposal.refresh_from_db()
    assert not proposal.is_hidden


def test_a_comment_is_hidden_after_three_flags_and_a_second_flag_by_one_person_is_refused(proposal, voters, client_for,
                                                                                       citizen2):
    comment = services.comment_create(proposal=proposal, author=citizen2, text="우리 동네도 포함해 주세요")
    first = client_for(voters[0])
    assert _flag(first, "comment", comment.pk).status_code == 201
    again = _flag(first, "comment", comment.pk)
    assert again.status_code == 400 and list(again.json()) == ["target_id"]  # the one flag per person
    for voter in voters[1:3]:
        assert _flag(client_for(voter), "comment", comment.pk).status_code == 201
    comment.refresh_from_db()
    assert comment.is_hidden


def test_hidden_proposals_cannot_be_flagged_by_the_public(proposal, voters, client_for):
    proposal.is_hidden = True
    proposal.save(update_fields=["is_hidden"])
    assert _flag(client_for(voters[0]), "proposal", proposal.pk).status_code == 404
