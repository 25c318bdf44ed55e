"""One vote per citizen per proposal is the database's rule: concurrent duplicates leave exactly one row."""
import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from campaigns import services
from campaigns.models import Vote


@pytest.mark.django_db(transaction=True)
def test_the_same_vote_sent_concurrently_is_stored_once(make_user, client_for):
    staff = make_user("round-staff", role="city_staff")
    proposer, voter = make_user("proposer"), make_user("eager-voter")
    now = timezone.now()
    services.round_create(actor=staff, title="동시성 회차", starts_at=now - datetime.timedelta(minutes=1),
                          ends_at=now + datetime.timedelta(days=1))
    proposal = services.proposal_create(proposer=proposer, title="노원구 겨울 빙판길 지도", why="미끄러운 길을 알립니다.")
    clients = [client_for(voter) for _ in range(6)]
    barrier = threading.Barrier(len(clients))
    statuses = []

    def send(client):
        try:
            barrier.wait(timeout=10)
            statuses.append(client.post(f"/api/proposals/{proposal.pk}/vote/").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [201] + [409] * 5
    assert Vote.objects.filter(proposal=proposal, voter=voter).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_unique_constraint_refuses_a_duplicate_written_around_the_service(make_user):
    staff = make_user("round-staff", role="city_staff")
    proposer, voter = make_user("proposer"), make_user("direct-writer")
    now = timezone.now()
    services.round_create(actor=staff, title="회차", starts_at=now - datetime.timedelta(minutes=1),
                          ends_at=now + datetime.timedelta(days=1))
    proposal = services.proposal_create(proposer=proposer, title="은평구 산책로 지도", why="걷기 좋은 길")
    Vote.objects.create(proposal=proposal, voter=voter)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(proposal=proposal, voter=voter)
    assert Vote.objects.filter(proposal=proposal).count() == 1
