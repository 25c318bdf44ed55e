"""A write reads the object its path names once: its access helper fetches, checks and locks it in one query, and
the service works on that object (no fetch to check, then a second fetch to lock). The answer is read afterwards."""
import datetime
import re

import pytest
from django.contrib.gis.geos import LineString, Point
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaigns.services import proposal_create, round_close, round_create
from maps.services import feature_create, map_create
from projects.services import project_create


def _reads_before_the_lock(queries, table: str, pk: int) -> list[str]:
    """The queries that read the row `table.id = pk` up to and including the first that locks it."""
    by_id = re.compile(rf'"{table}"\."id" = {pk}\b')
    reads = []
    for query in queries:
        sql = query["sql"]
        if sql.startswith("SELECT") and by_id.search(sql):
            reads.append(sql)
            if "FOR UPDATE" in sql:
                break
    return reads


def _one_locked_read(queries, table, pk):
    reads = _reads_before_the_lock(queries, table, pk)
    assert len(reads) == 1 and "FOR UPDATE" in reads[0], reads
    assert sum("FOR UPDATE" in q["sql"] and bool(re.search(rf'"{table}"\."id" = {pk}\b', q["sql"])) for q in queries) == 1


@pytest.fixture
def civic(staff, citizen, seoul):
    now = timezone.now()
    round_ = round_create(actor=staff, title="점검 회차", starts_at=now - datetime.timedelta(hours=1),
                          ends_at=now + datetime.timedelta(days=7))
    proposal = proposal_create(proposer=citizen, title="성북구 어두운 골목 지도", why="밤길 안전", round_id=round_.pk,
                               area_scope="districts", district_codes=["11290"])
    return round_, proposal


@pytest.mark.django_db
def test_answering_a_proposal_locks_it_once_and_reads_it_no_other_way_first(civic, staff, client_for):
    round_, proposal = civic
    round_close(round_=round_, actor=staff)
    with CaptureQueriesContext(connection) as queries:
        answer = client_for(staff).post(f"/api/proposals/{proposal.pk}/answer/",
                                        {"state": "declined", "answer": "이미 있는 지도와 겹칩니다."}, format="json")
    assert answer.status_code == 200, answer.content
    _one_locked_read(queries.captured_queries, "campaigns_proposal", proposal.pk)


@pytest.mark.django_db
def test_closing_a_round_locks_it_once_and_reads_it_no_other_way_first(civic, staff, client_for):
    round_, _proposal = civic
    with CaptureQueriesContext(connection) as queries:
        answer = client_for(staff).post(f"/api/rounds/{round_.pk}/close/", format="json")
    assert answer.status_code == 200 and answer.json()["closed_at"], answer.content
    _one_locked_read(queries.captured_queries, "campaigns_round", round_.pk)


@pytest.mark.django_db
def test_changing_a_map_locks_it_once_and_reads_it_no_other_way_first(citizen, client_for):
    map_obj = map_create(owner=citizen, title="우리 동네 쉼터")
    with CaptureQueriesContext(connection) as queries:
        answer = client_for(citizen).patch(f"/api/maps/{map_obj.pk}/", {"title": "우리 동네 그늘 쉼터"}, format="json")
    assert answer.status_code == 200 and answer.json()["title"] == "우리 동네 그늘 쉼터", answer.content
    _one_locked_read(queries.captured_queries, "maps_map", map_obj.pk)


@pytest.mark.django_db
def test_editing_a_feature_locks_it_once_and_reads_it_no_other_way_first(citizen, client_for):
    map_obj = map_create(owner=citizen, title="우리 동네 쉼터")
    feature = feature_create(map_obj=map_obj, actor=citizen, geom=Point(126.9780, 37.5665, srid=4326), name="시청 앞")
    with CaptureQueriesContext(connection) as queries:
        answer = client_for(citizen).patch(f"/api/maps/{map_obj.pk}/features/{feature.pk}/",
                                           {"name": "서울광장", "version": feature.version}, format="json")
    assert answer.status_code == 200, answer.content
    _one_locked_read(queries.captured_queries, "maps_feature", feature.pk)


@pytest.mark.django_db
def test_changing_a_project_locks_it_once_and_reads_it_no_other_way_first(staff, client_for, seoul):
    project = project_create(actor=staff, title_ko="테헤란로 보도 정비", department_ko="도로계획과",
                             geom=LineString((127.0276, 37.4979), (127.0364, 37.5006), srid=4326))
    with CaptureQueriesContext(connection) as queries:
        answer = client_for(staff).patch(f"/api/projects/{project.pk}/", {"progress": 40}, format="json")
    assert answer.status_code == 200, answer.content
    _one_locked_read(queries.captured_queries, "projects_project", project.pk)
