"""OGC API – Features Part 1: the standard's own schemas, OWSLib and GDAL's OAPIF driver over real HTTP."""
import json
import subprocess
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from districts.models import District
from layers.models import DatasetFeature

SCHEMAS = Path(settings.BASE_DIR) / "data" / "ogc" / "features-1.0.1" / "schemas"


def _openapi_to_jsonschema(node):
    """OpenAPI 3.0's `nullable: true` is JSON Schema's `type: [X, "null"]`."""
    if isinstance(node, dict):
        node = {k: _openapi_to_jsonschema(v) for k, v in node.items()}
        if node.pop("nullable", False) and "type" in node:
            node["type"] = [node["type"], "null"]
        return node
    if isinstance(node, list):
        return [_openapi_to_jsonschema(v) for v in node]
    return node


def _retrieve(uri: str) -> Resource:
    path = Path(uri.removeprefix("file://"))
    return Resource.from_contents(_openapi_to_jsonschema(yaml.safe_load(path.read_text())),
                                  default_specification=DRAFT7)


def assert_valid(document: dict, schema_file: str):
    validator = Draft7Validator({"$ref": (SCHEMAS / schema_file).as_uri()}, registry=Registry(retrieve=_retrieve),
                                format_checker=Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


@pytest.mark.django_db
def test_every_resource_validates_against_the_standard_schemas(client, datasets, dated_layer):
    landing = client.get("/ogc/")
    assert landing["Content-Type"] == "application/json"
    assert_valid(landing.json(), "landingPage.yaml")
    rels = {link["rel"] for link in landing.json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    conformance = client.get("/ogc/conformance").json()
    assert_valid(conformance, "confClasses.yaml")
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance["conformsTo"]
    collections = client.get("/ogc/collections").json()
    assert_valid(collections, "collections.yaml")
    assert {"districts", "dongs", "dataset-seoul_public_toilets", "testdated"} <= {c["id"] for c in collections["collections"]}
    collection = client.get("/ogc/collections/testdated").json()
    assert_valid(collection, "collection.yaml")
    assert collection["extent"]["temporal"]["interval"] == [[None, None]]
    items = client.get("/ogc/collections/districts/items", {"limit": 5})
    assert items["Content-Type"] == "application/geo+json"
    assert_valid(items.json(), "featureCollectionGeoJSON.yaml")
    item = client.get("/ogc/collections/districts/items/11680")
    assert_valid(item.json(), "featureGeoJSON.yaml")
    assert item.json()["properties"]["name_en"] == "Gangnam-gu"
    missing = client.get("/ogc/collections/districts/items/99999")
    assert missing.status_code == 404
    assert_valid(missing.json(), "exception.yaml")
    huge = client.get("/ogc/collections/dataset-seoul_public_toilets/items/" + "9" * 40)
    assert huge.status_code == 404 and huge.json()["code"] == "NotFound"
    api = client.get("/ogc/api")
    assert api["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert "/collections/{collectionId}/items" in api.json()["paths"]


@pytest.mark.django_db
def test_items_page_with_next_links_and_counts(client, datasets):
    total = DatasetFeature.objects.filter(dataset__slug="seoul_public_libraries").count()
    page = client.get("/ogc/collections/dataset-seoul_public_libraries/items", {"limit": 100}).json()
    assert page["numberMatched"] == total and page["numberReturned"] == 100
    seen = [f["id"] for f in page["features"]]
    while True:
        nxt = [link["href"] for link in page["links"] if link["rel"] == "next"]
        if not nxt:
            break
        page = client.get(nxt[0].replace("http://testserver", "")).json()
        seen += [f["id"] for f in page["features"]]
    assert len(seen) == len(set(seen)) == total


@pytest.mark.django_db
def test_next_links_continue_after_the_last_id_not_by_a_growing_offset(client, datasets):
    ids = sorted(DatasetFeature.objects.filter(dataset__slug="seoul_public_libraries").values_list("pk", flat=True))
    page = client.get("/ogc/collections/dataset-seoul_public_libraries/items", {"limit": 50}).json()
    nxt = next(link["href"] for link in page["links"] if link["rel"] == "next")
    assert "offset=" not in nxt and f"after={ids[49]}" in nxt and "limit=50" in nxt
    second = client.get(nxt.replace("http://testserver", "")).json()
    assert [f["id"] for f in second["features"]] == ids[50:100]
    assert not [link for link in second["links"] if link["rel"] == "prev"]
    assert second["numberMatched"] == len(ids)  # the whole selection, whichever page
    last = client.get("/ogc/collections/dataset-seoul_public_libraries/items", {"after": ids[-2], "limit": 5}).json()
    assert [f["id"] for f in last["features"]] == ids[-1:]
    assert not [link for link in last["links"] if link["rel"] == "next"]


@pytest.mark.django_db
def test_text_ids_page_after_the_last_code(client, seoul):
    codes = sorted(District.objects.values_list("code", flat=True))
    page = client.get("/ogc/collections/districts/items", {"limit": 10, "after": codes[9]}).json()
    assert [f["id"] for f in page["features"]] == codes[10:20]


@pytest.mark.django_db
def test_number_matched_is_counted_up_to_the_cap_and_left_out_above_it(client, datasets, monkeypatch):
    from geoplatform import pagination

    total = DatasetFeature.objects.filter(dataset__slug="seoul_public_libraries").count()
    monkeypatch.setattr(pagination, "COUNT_CAP", total)
    assert client.get("/ogc/collections/dataset-seoul_public_libraries/items").json()["numberMatched"] == total
    monkeypatch.setattr(pagination, "COUNT_CAP", total - 1)
    page = client.get("/ogc/collections/dataset-seoul_public_libraries/items").json()
    assert "numberMatched" not in page and page["numberReturned"] == 10
    assert [link for link in page["links"] if link["rel"] == "next"]
    assert_valid(page, "featureCollectionGeoJSON.yaml")


@pytest.mark.django_db
def test_a_page_never_counts_or_reads_more_rows_than_its_bounds(client, datasets, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from geoplatform.pagination import COUNT_CAP

    with CaptureQueriesContext(connection) as queries:
        client.get("/ogc/collections/dataset-seoul_public_libraries/items", {"limit": 100, "offset": 20})
    reads = [q["sql"] for q in queries if "layers_datasetfeature" in q["sql"]]
    assert len(reads) == 2
    count, page = reads
    assert "COUNT(*)" in count and f"LIMIT {COUNT_CAP + 1}" in count
    assert "LIMIT 101 OFFSET 20" in page


@pytest.mark.django_db
@pytest.mark.parametrize("language,words", [("ko", "더 읽으려면 next 링크를 따라가세요"),
                                            ("en", "follow the next links")])
def test_a_deep_offset_is_refused_in_the_readers_language_with_the_way_further(client, seoul, language, words):
    response = client.get("/ogc/collections/districts/items", {"offset": "100001"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400 and words in response.json()["description"]


@pytest.mark.django_db
def test_items_bbox_filters_by_intersection(client, seoul):
    # a small box around Gangnam Station touches Gangnam-gu and Seocho-gu only
    body = client.get("/ogc/collections/districts/items", {"bbox": "127.025,37.496,127.030,37.499"}).json()
    assert {f["id"] for f in body["features"]} == {"11680", "11650"}
    assert body["numberMatched"] == 2


@pytest.mark.django_db
def test_items_datetime_instant_interval_and_open_ends(client, dated_layer):
    def names(value):
        body = client.get("/ogc/collections/testdated/items", {"datetime": value}).json()
        return {f["properties"]["name"] for f in body["features"]}

    assert names("2026-02-15") == {"Gangnam Station"}
    assert names("2026-01-01T00:00:00Z/2026-02-28T00:00:00Z") == {"Seoul City Hall", "Gangnam Station"}
    assert names("2026-02-16T00:00:00Z/..") == {"Gyeongbokgung"}
    assert names("../2026-01-31") == {"Seoul City Hall"}


@pytest.mark.django_db
@pytest.mark.parametrize("query", [
    {"limit": "0"}, {"limit": "10001"}, {"limit": "ten"}, {"bbox": "1,2,3"}, {"bbox": "200,0,201,1"},
    {"datetime": "yesterday"}, {"offset": "-1"}, {"offset": "1" + "0" * 30}, {"offset": "100001"}, {"offset": "²"},
    {"colour": "red"}, {"after": ""}, {"after": "x" * 300},
])
def test_bad_query_parameters_are_400_in_the_exception_format(client, seoul, query):
    response = client.get("/ogc/collections/districts/items", query)
    assert response.status_code == 400
    assert response.json()["code"] == "InvalidParameterValue"
    assert_valid(response.json(), "exception.yaml")


@pytest.mark.django_db
@pytest.mark.parametrize("after", ["abc", "", "1" * 30, "-5", "1.5", "9" * 19, "1e3"])
def test_an_after_no_numeric_id_can_have_is_400(client, datasets, after):
    response = client.get("/ogc/collections/dataset-seoul_public_libraries/items", {"after": after})
    assert response.status_code == 400
    assert response.json() == {"code": "InvalidParameterValue",
                               "description": "after는 이 컬렉션에 있는 피처의 id여야 합니다."}


@pytest.mark.django_db
def test_private_layers_are_not_collections_for_anonymous_or_others(client, client_for, private_layer, citizen,
                                                                      citizen2):
    def ids(api_client):
        return {c["id"] for c in api_client.get("/ogc/collections").json()["collections"]}

    assert "testprivate" not in ids(client)
    assert "testprivate" not in ids(client_for(citizen2))
    assert client_for(citizen2).get("/ogc/collections/testprivate/items").status_code == 404
    assert client.get("/ogc/collections/testprivate").status_code == 404
    assert "testprivate" in ids(client_for(citizen))
    body = client_for(citizen).get("/ogc/collections/testprivate/items").json()
    assert body["numberMatched"] == 3


@pytest.mark.django_db(transaction=True)
def test_owslib_and_gdal_oapif_read_the_public_layers(live_seoul, datasets):
    from owslib.ogcapi.features import Features

    api = Features(f"{live_seoul.url}/ogc/")
    ids = {c["id"] for c in api.collections()["collections"]}
    assert {"districts", "dongs", "dataset-seoul_public_toilets", "dataset-seoul_subway_stations"} <= ids
    items = api.collection_items("districts", limit=3)
    assert items["numberMatched"] == 25 and len(items["features"]) == 3

    env = {"GDAL_HTTP_TIMEOUT": "30", "CPL_DEBUG": "OFF", "PATH": "/usr/bin:/bin"}
    expected = {"districts": District.objects.count(),
                "dataset-seoul_public_libraries": DatasetFeature.objects.filter(
                    dataset__slug="seoul_public_libraries").count()}
    for layer, count in expected.items():
        out = subprocess.run(["ogrinfo", "-ro", "-so", f"OAPIF:{live_seoul.url}/ogc/", layer],
                             capture_output=True, text=True, timeout=120, env=env)
        assert out.returncode == 0, out.stderr
        assert f"Feature Count: {count}" in out.stdout
    # and GDAL pages through every feature (next links) to the same count
    out = subprocess.run(["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", f"OAPIF:{live_seoul.url}/ogc/",
                          "dataset-seoul_public_libraries"], capture_output=True, text=True, timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["features"]) == expected["dataset-seoul_public_libraries"]
