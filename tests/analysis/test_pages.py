"""The analysis pages: the list with a form for analysts, and one analysis with method, sources, caveats and map."""
import re

import pytest
from django.test import Client

from analysis.models import Analysis
from analysis.services import analysis_publish


@pytest.fixture
def browser_for():
    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def coverage(toilets, analyst, run_analysis):
    return run_analysis(analyst, "coverage", {"source": "dataset-seoul_public_toilets", "hex_size_m": 2000},
                        name="화장실 접근성 (toilet coverage)")


def test_list_shows_published_analyses_and_hides_drafts_from_the_public(coverage, analyst, browser_for):
    anonymous = browser_for(None).get("/analysis/").content.decode()
    assert coverage.name not in anonymous and "analysis-form" not in anonymous
    analysis_publish(analysis=coverage, user=analyst)
    anonymous = browser_for(None).get("/analysis/").content.decode()
    assert coverage.name in anonymous and f"/analysis/{coverage.pk}/" in anonymous


def test_detail_page_shows_method_parameters_sources_caveats_and_outputs(coverage, analyst, browser_for):
    assert browser_for(None).get(f"/analysis/{coverage.pk}/").status_code == 404  # a draft
    analysis_publish(analysis=coverage, user=analyst)
    page = browser_for(None).get(f"/analysis/{coverage.pk}/").content.decode()
    for expected in ("data-testid=\"method\"", "육각형 칸 크기</dt><dd>2,000 m", "시설 부족 기준 거리</dt><dd>500 m",
                     "서울의 각 지역에서 가장 가까운 ‘서울시 공중화장실’까지", "data-testid=\"caveats\"", "analysis-map",
                     "analysis/analysis.js", "export.csv"):
        assert expected in page, expected
    assert re.search(r'name="action" value="run"', page) is None  # the public cannot act
    assert 'data-testid="status"' not in page  # the run's state is the author's business


def test_detail_page_speaks_english_to_english_readers_without_parameter_names(coverage, analyst, browser_for):
    analysis_publish(analysis=coverage, user=analyst)
    client = browser_for(None)
    page = client.get(f"/analysis/{coverage.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    text = re.sub(r"<script.*?</script>|<[^>]+>", " ", page, flags=re.S)
    assert "Hexagon size" in text and "2,000 m" in text and "Under-served beyond" in text
    assert "How far each part of Seoul is from the nearest place in “Public toilets in Seoul”" in text
    for raw in ("hex_size_m", "threshold_m", "dataset-seoul_public_toilets", "succeeded"):
        assert raw not in text, raw


def test_analyst_runs_an_analysis_from_the_form(toilets, analyst, browser_for):
    client = browser_for(analyst)
    form = client.get("/analysis/").content.decode()
    assert "analysis-form" in form and "dataset-seoul_public_toilets" in form
    response = client.post("/analysis/", {"name": "Toilets per dong", "method": "aggregation",
                                          "source": "dataset-seoul_public_toilets",
                                          "parameters": '{"unit": "dong", "measure": "per_km2"}'})
    analysis = Analysis.objects.get(name="Toilets per dong")
    assert response.status_code == 302 and response["Location"] == f"/analysis/{analysis.pk}/"
    assert analysis.status == "succeeded" and analysis.parameters["unit"] == "dong"
    page = client.get(f"/analysis/{analysis.pk}/").content.decode()
    assert 'value="publish"' in page
    client.post(f"/analysis/{analysis.pk}/", {"action": "publish"})
    analysis.refresh_from_db()
    assert analysis.is_published


def test_form_errors_are_shown_and_nothing_is_stored(toilets, analyst, citizen, browser_for):
    response = browser_for(analyst).post("/analysis/", {"name": "x", "method": "coverage",
                                                         "source": "dataset-seoul_public_toilets",
                                                         "parameters": '{"hex_size_m": 5}'})
    assert response.status_code == 400 and "100" in response.content.decode()
    response = browser_for(analyst).post("/analysis/", {"name": "x", "method": "coverage",
                                                         "source": "dataset-seoul_public_toilets",
                                                         "parameters": "[1, 2"})
    assert response.status_code == 400 and "JSON" in response.content.decode()
    assert browser_for(citizen).post("/analysis/", {"name": "x", "method": "coverage",
                                                     "source": "dataset-seoul_public_toilets"}).status_code == 403
    assert not Analysis.objects.exists()


def test_demo_loads_published_analyses_over_the_real_layers_once(toilets, libraries, make_user, capsys):
    import sys

    from analysis.demo import DEMO_ANALYSES, load_demo

    make_user("analyst", role="analyst")
    load_demo(sys.stdout)
    first = {a.name: (a.pk, a.fingerprint) for a in Analysis.objects.all()}
    assert len(first) == len(DEMO_ANALYSES)
    assert all(a.is_published and a.status == "succeeded" for a in Analysis.objects.all())
    hotspot = Analysis.objects.get(method="hotspot")
    assert {o.key for o in hotspot.outputs.all()} == {"density", "classes", "gistar"}
    load_demo(sys.stdout)
    assert {a.name: (a.pk, a.fingerprint) for a in Analysis.objects.all()} == first
    assert "analyses:" in capsys.readouterr().out


def test_page_and_api_answer_a_non_editor_alike_404_for_a_draft_403_with_the_same_words_once_published(
        coverage, analyst, make_user, browser_for, client_for):
    other = make_user("analyst2", role="analyst")  # an analyst, but not this analysis's author
    page, api = browser_for(other), client_for(other)
    assert page.post(f"/analysis/{coverage.pk}/", {"action": "run"}).status_code == 404  # a draft: not theirs to see
    assert api.post(f"/api/analyses/{coverage.pk}/run/").status_code == 404
    analysis_publish(analysis=coverage, user=analyst)
    on_page = page.post(f"/analysis/{coverage.pk}/", {"action": "unpublish"}, HTTP_ACCEPT_LANGUAGE="ko")
    on_api = api.post(f"/api/analyses/{coverage.pk}/publish/", {"published": False}, format="json",
                      HTTP_ACCEPT_LANGUAGE="ko")
    assert on_page.status_code == 403 and on_api.status_code == 403  # seen, but not theirs to change
    assert on_page.content.decode() == on_api.json()["detail"] == "작성자나 시 직원만 할 수 있습니다"
    assert api.delete(f"/api/analyses/{coverage.pk}/").status_code == 403
    coverage.refresh_from_db()
    assert coverage.is_published


@pytest.mark.parametrize("language, title", [("ko", "서울시 공중화장실"), ("en", "Public toilets in Seoul")])
def test_the_list_names_each_published_analysis_source_by_its_title_never_its_layer_name(coverage, analyst,
                                                                                          browser_for, language, title):
    analysis_publish(analysis=coverage, user=analyst)
    page = browser_for(None).get("/analysis/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    card = page[page.index('data-testid="published-analyses"'):]
    assert title in card and "dataset-seoul_public_toilets" not in card, card[:600]
