"""Timed citizen steps close on their deadline by themselves, once, and the people concerned are told (in
their own language, from stored message keys); the support threshold, group size and days are a round's
own per kind of proposal, with the settings as defaults."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from campaigns import services
from campaigns.models import Evaluation, Proposal
from notifications.models import Notification
from notifications.services import notification_text
from tests.campaigns.conftest import end_round_now

pytestmark = pytest.mark.django_db


@pytest.fixture
def defaults(settings):
    settings.PROPOSALS_EVALUATION_THRESHOLD = 4
    settings.PROPOSALS_EVALUATION_GROUP_SIZE = 2
    settings.PROPOSALS_EVALUATION_DAYS = 14
    settings.PROPOSALS_EVALUATION_BY_KIND = {"local_project": {"threshold": 3, "days": 5}}
    return settings


@pytest.fixture
def volunteers(make_user):
    people = [make_user(f"volunteer{i}") for i in range(1, 5)]
    for person in people:
        services.evaluator_join(user=person)
    return people


def _round(staff, **rules):
    now = timezone.now()
    return services.round_create(actor=staff, title="2027 봄 시민 제안", starts_at=now - datetime.timedelta(hours=1),
                                 ends_at=now + datetime.timedelta(days=7), evaluation_rules=rules or None)


def _support(proposal, voters, n):
    for voter in voters[:n]:
        services.vote_cast(proposal=proposal, voter=voter)
    proposal.refresh_from_db()
    return proposal


def test_the_rule_comes_from_the_round_then_the_kind_then_the_defaults(defaults, staff, citizen, voters, volunteers):
    round_ = _round(staff, policy={"threshold": 2, "group_size": 3})
    policy = services.proposal_create(proposer=citizen, title="심야 버스 노선 확대", why="막차 이후", kind="policy")
    local = services.proposal_create(proposer=citizen, title="선릉역 그늘막", why="여름", kind="local_project")
    assert services.evaluation_rule(kind="policy", round_=round_) == {"threshold": 2, "group_size": 3, "days": 14}
    assert services.evaluation_rule(kind="local_project", round_=round_) == {"threshold": 3, "group_size": 2, "days": 5}
    assert services.evaluation_rule(kind="policy", round_=None) == {"threshold": 4, "group_size": 2, "days": 14}

    assert _support(policy, voters, 2).state == "evaluation"  # the round's threshold of 2, not the default 4
    evaluation = Evaluation.objects.get(proposal=policy)
    assert evaluation.group_size == 3 and evaluation.citizen_due_at - evaluation.started_at == datetime.timedelta(days=14)
    assert _support(local, voters, 2).state == "open"  # local projects need 3 (the settings' rule for the kind)
    assert _support(local, voters[2:], 1).state == "evaluation"
    local_evaluation = Evaluation.objects.get(proposal=local)
    assert local_evaluation.group_size == 2
    assert local_evaluation.citizen_due_at - local_evaluation.started_at == datetime.timedelta(days=5)


@pytest.mark.parametrize("rules, field", [
    ({"map_topic": {"threshold": 3}}, "evaluation_rules"),
    ({"policy": {"threshold": 0}}, "threshold"),
    ({"policy": {"group_size": 101}}, "group_size"),
    ({"policy": {"days": "many"}}, "days"),
])
def test_a_round_with_bad_rules_is_a_400_that_names_the_field_and_stores_nothing(staff, client_for, rules, field):
    from campaigns.models import Round

    now = timezone.now()
    answer = client_for(staff).post("/api/rounds/", {
        "title": "규칙", "starts_at": now.isoformat(), "ends_at": (now + datetime.timedelta(days=3)).isoformat(),
        "evaluation_rules": rules}, format="json")
    assert answer.status_code == 400 and field in str(answer.json())
    assert not Round.objects.exists()


def test_a_rounds_rules_go_in_and_out_through_the_api(staff, client_for):
    now = timezone.now()
    answer = client_for(staff).post("/api/rounds/", {
        "title": "규칙", "starts_at": now.isoformat(), "ends_at": (now + datetime.timedelta(days=3)).isoformat(),
        "evaluation_rules": {"local_project": {"threshold": 20, "group_size": 9}}}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["evaluation_rules"] == {"local_project": {"threshold": 20, "group_size": 9}}


def test_the_citizen_step_closes_on_its_deadline_once_and_the_proposer_is_told_once(
        defaults, staff, citizen, voters, volunteers):
    _round(staff)
    proposal = _support(services.proposal_create(proposer=citizen, title="심야 버스", why="막차", kind="policy"),
                        voters, 4)
    evaluation = Evaluation.objects.get(proposal=proposal)
    drawn_users = [v for v in volunteers if v.evaluator.pk in evaluation.drawn]
    assert len(drawn_users) == 2
    for person in drawn_users:  # each drawn volunteer is told, with the page to score on
        notice = Notification.objects.get(user=person, kind="evaluation_drawn")
        assert "심야 버스" in notice.body and f"/proposals/{proposal.pk}/" in notice.body
    services.seat_score(proposal=proposal, user=drawn_users[0], need=4, feasibility=3, benefit=4, comment="필요")

    assert services.evaluations_close_due() == []  # not due yet: nothing happens
    Evaluation.objects.filter(pk=evaluation.pk).update(citizen_due_at=timezone.now() - datetime.timedelta(seconds=1))
    assert services.evaluations_close_due() == [proposal.pk]
    assert services.evaluations_close_due() == []  # idempotent
    call_command("close_rounds", stdout=__import__("io").StringIO())
    evaluation.refresh_from_db()
    assert evaluation.citizen_done_at is not None
    told = Notification.objects.filter(user=citizen, kind="proposal_evaluation").order_by("pk")
    assert [n.title for n in told] == ["제안이 공감 4개를 얻어 평가를 받습니다", "시민 평가단이 제안을 평가했습니다"]
    assert "뽑힌 시민 2명 중 1명이" in told[1].body
    with pytest.raises(ValidationError, match="over|끝났"):  # a score after the deadline is refused
        services.seat_score(proposal=proposal, user=drawn_users[1], need=1, feasibility=1, benefit=1,
                            comment="늦음")


def test_the_deadline_task_runs_through_the_worker_and_the_command_reports_it(
        defaults, staff, citizen, voters, volunteers, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    _round(staff)
    proposal = services.proposal_create(proposer=citizen, title="심야 버스", why="막차", kind="policy")
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        with django_capture_on_commit_callbacks(execute=True):
            _support(proposal, voters, 4)
        scheduled = DBTaskResult.objects.get(task_path="campaigns.tasks.evaluations_close_due_task")
    assert scheduled.run_after == Evaluation.objects.get(proposal=proposal).citizen_due_at
    Evaluation.objects.filter(proposal=proposal).update(citizen_due_at=timezone.now() - datetime.timedelta(seconds=1))
    out = __import__("io").StringIO()
    call_command("close_rounds", stdout=out)
    assert f"closed 1 citizen evaluation step(s): proposals {proposal.pk}" in out.getvalue()


def test_support_collection_closes_with_the_round_and_tells_proposers_below_the_threshold_once(
        defaults, staff, citizen, voters):
    round_ = _round(staff)
    short = _support(services.proposal_create(proposer=citizen, title="한강 야간 조명", why="밤", kind="policy"),
                     voters, 1)
    topic = services.proposal_create(proposer=citizen, title="카페 지도", why="공부")
    end_round_now(round_)
    services.steps_close_due()
    services.steps_close_due()
    told = Notification.objects.filter(user=citizen, kind="proposal_support_closed")
    assert told.count() == 1  # the policy only: map topics are ranked, not evaluated; and once
    assert "한강 야간 조명" in told[0].body and "4개 중 1개" in told[0].body
    short.refresh_from_db()
    assert short.state == "open" and not Evaluation.objects.filter(proposal=short).exists()
    assert topic.pk  # (the map topic stays in the frozen ranking)


def test_notifications_are_stored_as_keys_and_read_in_each_readers_language(
        defaults, staff, make_user, voters, volunteers):
    _round(staff)
    english = make_user("english-proposer", preferred_language="en")
    proposal = _support(services.proposal_create(proposer=english, title="Night buses", why="After midnight",
                                                 kind="policy"), voters, 4)
    notice = Notification.objects.get(user=english, kind="proposal_evaluation")
    assert notice.content["title"]["key"] == "campaigns.evaluation.started.title"
    assert notice.title == "Your proposal reached 4 supporters and goes to evaluation"
    from django.utils import translation

    with translation.override("ko"):
        assert notification_text(notice)[0] == "제안이 공감 4개를 얻어 평가를 받습니다"
    assert Proposal.objects.get(pk=proposal.pk).state == "evaluation"
