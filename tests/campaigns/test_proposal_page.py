"""A proposal's page (/proposals/{id}/): public like the proposal, never for a hidden one; the drawn citizens
by number only; the forms only for whoever may act on the current step; the steps in the reader's language."""
import datetime

import pytest
from django.utils import timezone

from campaigns import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_evaluation(settings, staff, citizen, voters, make_user):
    settings.PROPOSALS_EVALUATION_BY_KIND = {}
    settings.PROPOSALS_EVALUATION_THRESHOLD, settings.PROPOSALS_EVALUATION_GROUP_SIZE = 2, 1
    now = timezone.now()
    services.round_create(actor=staff, title="2027 시민 제안", starts_at=now - datetime.timedelta(hours=1),
                          ends_at=now + datetime.timedelta(days=7))
    volunteer = make_user("hidden-name-volunteer")
    services.evaluator_join(user=volunteer)
    proposal = services.proposal_create(proposer=citizen, title="심야 버스 노선 확대", why="막차 이후", kind="policy")
    for voter in voters[:2]:
        services.vote_cast(proposal=proposal, voter=voter)
    return proposal, volunteer


def _page(client, proposal, user=None, lang="ko"):
    if user is not None:
        client.force_login(user)
    client.cookies["django_language"] = lang
    answer = client.get(f"/proposals/{proposal.pk}/")
    return answer.status_code, answer.content.decode()


def test_the_public_sees_the_steps_and_the_group_by_number_but_no_form(client, in_evaluation):
    proposal, volunteer = in_evaluation
    status, page = _page(client, proposal)
    assert status == 200
    assert 'data-step="citizen_group" data-state="current"' in page and "시민 평가단" in page
    assert f"시민 {volunteer.evaluator.pk}번" in page and volunteer.username not in page
    for form in ("score-form", "review-form", "decision-form"):
        assert f'id="{form}"' not in page


def test_each_form_shows_only_to_whoever_acts_on_the_step(client, in_evaluation, staff, voters):
    proposal, volunteer = in_evaluation
    assert 'id="score-form"' in _page(client, proposal, volunteer)[1]
    assert 'id="score-form"' not in _page(client, proposal, voters[0])[1]  # a supporter who was not drawn
    staff_page = _page(client, proposal, staff)[1]
    assert 'id="review-form"' in staff_page and 'id="decision-form"' in staff_page


def test_an_english_reader_reads_the_steps_in_english(client, in_evaluation):
    proposal, _volunteer = in_evaluation
    page = _page(client, proposal, lang="en")[1]
    assert "Citizen evaluation group" in page and "Reached 2 of the 2 supporters needed." in page
    assert "시민 평가단" not in page


def test_a_hidden_proposal_is_a_404_for_the_public_and_shown_to_staff(client, in_evaluation, staff):
    proposal, _volunteer = in_evaluation
    services.content_hide(target=proposal, actor=staff, hidden=True, reason="개인정보 포함")
    assert _page(client, proposal)[0] == 404
    assert client.get("/proposals/99999999999999999999/").status_code == 404
    assert _page(client, proposal, staff)[0] == 200
