"""Rounds: the ranking is frozen when the round ends, by the task, the command, a staff action or a read."""
import datetime
import io

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from campaigns import services
from campaigns.models import RankingEntry, Round, Vote
from campaigns.tasks import rounds_close_due_task
from tests.conftest import korean_only

from .conftest import end_round_now


def _vote(proposal, voters):
    for voter in voters:
        services.vote_cast(proposal=proposal, voter=voter)


def _proposal(user, title):
    return services.proposal_create(proposer=user, title=title, why="이유")


def test_ties_share_a_rank_and_declined_proposals_are_left_out(citizen, citizen2, voters, staff, open_round):
    a, b, c, d = (_proposal(citizen, t) for t in ("관악구 계단 지도", "중구 그늘 지도", "종로구 화장실 지도", "광고"))
    _vote(a, voters[:3])
    _vote(b, voters[:2])
    _vote(c, voters[2:4])
    services.proposal_answer(proposal=d, actor=staff, state="declined", answer="광고는 받지 않습니다.")
    services.round_close(round_=open_round, actor=staff)
    assert [(e.proposal_id, e.rank, e.votes) for e in open_round.ranking.all()] == [
        (a.pk, 1, 3), (b.pk, 2, 2), (c.pk, 2, 2)]


def test_the_task_closes_only_rounds_that_have_ended_and_running_it_again_changes_nothing(
        citizen, voters, open_round):
    proposal = _proposal(citizen, "강서구 침수 지도")
    _vote(proposal, voters[:2])
    assert rounds_close_due_task.enqueue().return_value == []
    open_round.refresh_from_db()
    assert open_round.closed_at is None

    end_round_now(open_round)
    assert rounds_close_due_task.enqueue().return_value == [open_round.pk]
    open_round.refresh_from_db()
    frozen_at = open_round.closed_at
    assert frozen_at is not None
    assert rounds_close_due_task.enqueue().return_value == []
    open_round.refresh_from_db()
    assert open_round.closed_at == frozen_at
    assert list(RankingEntry.objects.values_list("proposal_id", "rank", "votes")) == [(proposal.pk, 1, 2)]


def test_the_close_rounds_command_publishes_due_rankings(citizen, open_round):
    _proposal(citizen, "동작구 자전거 길 지도")
    end_round_now(open_round)
    out = io.StringIO()
    call_command("close_rounds", stdout=out)
    assert f"closed 1 round(s): {open_round.pk}" in out.getvalue()
    call_command("close_rounds", stdout=out)
    assert "closed 0 round(s)" in out.getvalue()


def test_reading_a_round_that_has_ended_publishes_its_ranking(citizen, voters, open_round, api):
    proposal = _proposal(citizen, "성동구 반려견 산책 지도")
    _vote(proposal, voters)
    assert api.get(f"/api/rounds/{open_round.pk}/").json()["ranking"] is None  # still running: nothing frozen
    end_round_now(open_round)
    body = api.get(f"/api/rounds/{open_round.pk}/").json()
    assert body["status"] == "closed"
    assert body["ranking"] == [{"rank": 1, "votes": 5, "proposal": proposal.pk, "title": proposal.title,
                                "state": "open", "funded": False, "budget_estimate": None}]
    Vote.objects.all().delete()  # whatever happens to the rows later, the published result stays
    assert api.get(f"/api/rounds/{open_round.pk}/").json()["ranking"][0]["votes"] == 5
    assert api.get("/api/rounds/").json()["results"][0]["status"] == "closed"


def test_staff_closing_early_ends_the_round_now_but_a_round_not_started_cannot_close(staff, client_for):
    now = timezone.now()
    running = services.round_create(actor=staff, title="진행 중", starts_at=now - datetime.timedelta(hours=1),
                                     ends_at=now + datetime.timedelta(days=2))
    later = services.round_create(actor=staff, title="나중", starts_at=now + datetime.timedelta(days=10),
                                  ends_at=now + datetime.timedelta(days=12))
    closed = client_for(staff).post(f"/api/rounds/{running.pk}/close/").json()
    assert closed["status"] == "closed"
    assert datetime.datetime.fromisoformat(closed["ends_at"]) <= timezone.now()
    refused = client_for(staff).post(f"/api/rounds/{later.pk}/close/")
    assert refused.status_code == 400 and korean_only(refused.json())
    assert Round.objects.get(pk=later.pk).closed_at is None


def test_a_proposal_can_be_selected_only_after_its_round_closed(citizen, staff, open_round, client_for):
    proposal = _proposal(citizen, "서대문구 벽화 지도")
    early = client_for(staff).post(f"/api/proposals/{proposal.pk}/answer/", {"state": "selected"}, format="json")
    assert early.status_code == 400 and "순위가 발표된 뒤" in str(early.json())


def test_with_the_database_worker_a_new_round_schedules_its_own_closing(staff, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    ends = now + datetime.timedelta(days=5)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        with django_capture_on_commit_callbacks(execute=True):
            services.round_create(actor=staff, title="예약", starts_at=now, ends_at=ends)
        scheduled = DBTaskResult.objects.get(task_path="campaigns.tasks.rounds_close_due_task")
    assert scheduled.run_after == ends
