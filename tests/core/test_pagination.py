"""The one list envelope at Seoul's size (geoplatform/pagination.py): a page never counts or skips millions of rows."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from geoplatform import pagination

pytestmark = pytest.mark.django_db

LISTS = [("/api/maps/", "results"), ("/api/reports/", "features"), ("/api/analyses/", "results"),
         ("/api/proposals/", "results")]


@pytest.mark.parametrize("query", ["offset=99999999999999999999", "offset=100001", "offset=-1", "offset=ten",
                                   "offset=1e3", "offset=%C2%B2", "offset=100001&limit=99999999999"])
@pytest.mark.parametrize("endpoint,items", LISTS)
def test_an_offset_beyond_the_bound_or_not_a_whole_number_is_a_400_naming_offset(api, seoul, query, endpoint, items):
    response = api.get(f"{endpoint}?{query}", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400, response.content
    assert "offset must be a whole number up to 100,000" in response.json()["offset"][0]


@pytest.mark.parametrize("language,words", [("ko", "필터로 목록을 좁히세요"), ("en", "narrow the list with its filters")])
def test_the_deep_offset_refusal_is_in_the_readers_language(api, seoul, language, words):
    response = api.get("/api/reports/?offset=100001", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and words in response.json()["offset"][0]


@pytest.mark.parametrize("endpoint,items", LISTS)
def test_the_last_allowed_offset_is_an_empty_page_with_the_envelope(api, seoul, endpoint, items):
    body = api.get(f"{endpoint}?offset=100000").json()
    assert body[items] == [] and body["next"] is None and isinstance(body["count"], int)


def test_the_district_list_counts_exactly_below_the_cap(api, seoul):
    body = api.get("/api/districts/?limit=10").json()
    assert body["count"] == 25 and len(body["features"]) == 10
    assert "offset=10" in body["next"] and body["previous"] is None


def test_above_the_cap_count_is_null_and_next_leads_on_only_within_the_offset_bound(api, seoul, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 24)  # 25 districts: one more than the server counts
    monkeypatch.setattr(pagination, "MAX_OFFSET", 20)
    first = api.get("/api/districts/?limit=10").json()
    assert first["count"] is None and len(first["features"]) == 10 and "offset=10" in first["next"]
    second = api.get(first["next"]).json()
    assert second["count"] is None and "offset=20" in second["next"]
    third = api.get(second["next"]).json()
    assert [f["id"] for f in third["features"]] and third["next"] is None  # offset 30 would pass MAX_OFFSET
    assert api.get("/api/districts/?offset=21").status_code == 400
    monkeypatch.setattr(pagination, "COUNT_CAP", 25)
    assert api.get("/api/districts/?limit=10").json()["count"] == 25


def test_the_count_reads_at_most_cap_plus_one_rows_in_no_order(api, seoul):
    with CaptureQueriesContext(connection) as queries:
        assert api.get("/api/reports/?limit=5").status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(*)" in q["sql"] and "reports_report" in q["sql"]]
    assert len(counts) == 1
    assert f"LIMIT {pagination.COUNT_CAP + 1}" in counts[0] and "ORDER BY" not in counts[0]


def test_the_schema_says_count_may_be_null_and_bounds_offset():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    page = schema["components"]["schemas"]["PaginatedMapOutputList"]["properties"]
    assert page["count"]["nullable"] is True and page["count"]["maximum"] == 100_000
    offset = next(p for p in schema["paths"]["/api/maps/"]["get"]["parameters"] if p["name"] == "offset")
    assert offset["schema"] == {"type": "integer", "minimum": 0, "maximum": 100_000}
