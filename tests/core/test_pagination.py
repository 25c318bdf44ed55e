import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["offset=99999999999999999999", "offset=10000001&limit=99999999999"])
@pytest.mark.parametrize("endpoint,items", [("/api/maps/", "results"), ("/api/reports/", "features"),
                                            ("/api/analyses/", "results"), ("/api/proposals/", "results")])
def test_a_huge_offset_is_an_empty_page_not_a_server_error(api, seoul, query, endpoint, items):
    response = api.get(f"{endpoint}?{query}")
    assert response.status_code == 200, response.content
    assert response.json()[items] == []
