"""The indicators API: list, detail, CSV, tiles of the choropleth, feedback."""
import csv
import gzip
import io
import math

import mapbox_vector_tile
from django.core.files.uploadedfile import SimpleUploadedFile

from dashboards.models import Indicator, IndicatorFeedback

VALUES = ("district_code,period,value\n11680,2025-09,120\n11440,2025-09,80\n11650,2025-09,100\n11110,2025-09,10\n"
          "11140,2025-09,20\n11680,2025-08,90\n")


def _load(client, indicator):
    response = client.post(f"/api/indicators/{indicator.pk}/import/",
                           {"file": SimpleUploadedFile("v.csv", VALUES.encode())}, format="multipart")
    assert response.status_code == 201, response.content


def _tile_of(lon, lat, z):
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def test_list_and_detail_carry_values_per_district_and_period_and_a_tilejson(client_for, staff, indicator, api):
    _load(client_for(staff), indicator)
    listing = api.get("/api/indicators/").json()
    item = next(i for i in listing["results"] if i["slug"] == "parking-complaints")
    assert item["tilejson"].endswith(f"/tiles/indicator-{indicator.pk}.json")
    assert item["latest_period"] == "2025-09"
    detail = api.get(f"/api/indicators/{indicator.pk}/").json()
    assert detail["periods"] == ["2025-08", "2025-09"]
    gangnam = next(d for d in detail["districts"] if d["district_code"] == "11680")
    assert gangnam["values"] == {"2025-08": 90.0, "2025-09": 120.0}
    assert gangnam["name_ko"] == "강남구"
    assert [entry["color"] for entry in detail["legend"]][-1] == "#d9d9d9"
    assert api.get("/api/indicators/?theme=nonsense").status_code == 400


def test_csv_download_has_every_current_value(client_for, staff, indicator, api):
    _load(client_for(staff), indicator)
    response = api.get(f"/api/indicators/{indicator.pk}/data.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    gangnam = next(r for r in rows if r["district_code"] == "11680" and r["period"] == "2025-09")
    assert gangnam["value"] == "120" and gangnam["district_name_ko"] == "강남구"


def test_the_choropleth_tile_for_gangnam_carries_its_value_and_class(client_for, staff, indicator, api):
    _load(client_for(staff), indicator)
    z = 12
    x, y = _tile_of(127.047, 37.497, z)  # Yeoksam-dong, Gangnam-gu
    response = api.get(f"/tiles/indicator-{indicator.pk}/{z}/{x}/{y}.mvt")
    assert response.status_code == 200, response.content
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    tile = mapbox_vector_tile.decode(data)
    features = tile[f"indicator-{indicator.pk}"]["features"]
    by_code = {f["properties"]["district_code"]: f["properties"] for f in features}
    assert by_code["11680"]["value"] == 120
    assert by_code["11680"]["period"] == "2025-09"
    assert by_code["11680"]["name_en"] == "Gangnam-gu"
    # five values, five quantile classes: Gangnam has the highest
    assert by_code["11680"]["class"] == 4
    assert by_code["11650"]["class"] == 3  # Seocho (100)
    # an earlier period is its own layer
    old = api.get(f"/tiles/indicator-{indicator.pk}_2025_08/{z}/{x}/{y}.mvt")
    data = b"".join(old.streaming_content) if old.streaming else old.content
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    old_features = mapbox_vector_tile.decode(data)[f"indicator-{indicator.pk}_2025_08"]["features"]
    assert {f["properties"]["district_code"]: f["properties"].get("value") for f in old_features}["11680"] == 90


def test_the_style_colours_districts_by_class(client_for, staff, indicator, api):
    _load(client_for(staff), indicator)
    style = api.get(f"/styles/indicator-{indicator.pk}.json").json()
    fill = next(layer for layer in style["layers"] if layer["id"].endswith("fill") and "indicator" in layer["id"])
    assert fill["paint"]["fill-color"][0] == "match"
    assert "class" in str(fill["paint"]["fill-color"])


def test_an_unpublished_indicator_is_404_for_the_public_everywhere(client_for, staff, indicator, api):
    _load(client_for(staff), indicator)
    Indicator.objects.filter(pk=indicator.pk).update(is_published=False)
    assert api.get(f"/api/indicators/{indicator.pk}/").status_code == 404
    assert api.get(f"/api/indicators/{indicator.pk}/data.csv").status_code == 404
    assert api.get(f"/tiles/indicator-{indicator.pk}.json").status_code == 404
    assert all(i["id"] != indicator.pk for i in api.get("/api/indicators/").json()["results"])
    assert client_for(staff).get(f"/api/indicators/{indicator.pk}/").status_code == 200


def test_staff_create_an_indicator_and_citizens_cannot(client_for, staff, citizen, seoul):
    body = {"slug": "noise", "name_ko": "소음 민원", "name_en": "Noise complaints", "theme": "environment",
            "classification": "fixed", "breaks": [10, 50, 100]}
    assert client_for(citizen).post("/api/indicators/", body, format="json").status_code == 403
    response = client_for(staff).post("/api/indicators/", body, format="json")
    assert response.status_code == 201, response.content
    bad = client_for(staff).post("/api/indicators/", {**body, "slug": "noise2", "breaks": [50, 10]}, format="json")
    assert bad.status_code == 400 and "구간" in str(bad.json())


def test_citizens_give_feedback_staff_reply_publicly_and_counts_show(client_for, citizen, citizen2, staff,
                                                                    indicator, api, seoul):
    url = f"/api/indicators/{indicator.pk}/feedback/"
    assert api.post(url, {"body": "hi"}, format="json").status_code == 401
    mine = client_for(citizen).post(url, {"body": "This looks wrong for Mapo <script>x</script>", "rating": 2,
                                          "district": "11440"}, format="json")
    assert mine.status_code == 201, mine.content
    assert "<script>" not in mine.json()["body"] and mine.json()["district_name_en"] == "Mapo-gu"
    assert client_for(citizen2).post(url, {"rating": 9}, format="json").status_code == 400
    assert client_for(citizen2).post(url, {}, format="json").status_code == 400
    assert client_for(citizen2).post(url, {"body": "x", "district": "99999"}, format="json").status_code == 400
    reply_url = f"{url}{mine.json()['id']}/reply/"
    assert client_for(citizen2).post(reply_url, {"reply": "no"}, format="json").status_code == 403
    reply = client_for(staff).post(reply_url, {"reply": "We are checking Mapo's figure."}, format="json")
    assert reply.status_code == 200
    public = api.get(url).json()["results"]
    assert public[0]["reply"] == "We are checking Mapo's figure."
    assert "author" not in public[0] and "minji" not in str(public)
    detail = api.get(f"/api/indicators/{indicator.pk}/").json()
    assert detail["feedback_count"] == 1 and detail["feedback_replied"] == 1
    assert IndicatorFeedback.objects.get().author == citizen


def test_the_indicator_layer_is_an_ogc_collection_with_values(client_for, staff, indicator, api):
    _load(client_for(staff), indicator)
    items = api.get(f"/ogc/collections/indicator-{indicator.pk}/items", {"f": "json", "limit": 50})
    assert items.status_code == 200, items.content
    features = {f["properties"]["district_code"]: f["properties"] for f in items.json()["features"]}
    assert len(features) == 25
    assert features["11680"]["value"] == 120 and features["11110"]["value"] == 10
    assert features["11500"]["value"] is None  # Gangseo-gu: no value, no class


def test_feedback_stays_without_its_author_when_the_account_is_anonymised(client_for, citizen, indicator):
    from accounts.signals import account_anonymised

    client_for(citizen).post(f"/api/indicators/{indicator.pk}/feedback/", {"body": "숫자가 이상해요"}, format="json")
    account_anonymised.send(sender=type(citizen), user=citizen)
    feedback = IndicatorFeedback.objects.get()
    assert feedback.author is None and feedback.body == "숫자가 이상해요"


def test_feedback_floods_get_429(client_for, citizen, indicator):
    client = client_for(citizen)
    url = f"/api/indicators/{indicator.pk}/feedback/"
    codes = [client.post(url, {"rating": 3}, format="json").status_code for _ in range(31)]
    assert codes[:30] == [201] * 30 and codes[30] == 429


def test_fixed_breaks_classify_districts_and_make_the_legend(client_for, staff, indicator, api):
    Indicator.objects.filter(pk=indicator.pk).update(classification="fixed", breaks=[50, 100])
    _load(client_for(staff), indicator)
    items = api.get(f"/ogc/collections/indicator-{indicator.pk}/items", {"f": "json", "limit": 50}).json()
    classes = {f["properties"]["district_code"]: f["properties"]["class"] for f in items["features"]}
    assert (classes["11110"], classes["11440"], classes["11650"], classes["11680"]) == (0, 1, 1, 2)
    legend = api.get(f"/api/indicators/{indicator.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["legend"]
    assert [entry["label"] for entry in legend] == ["≤ 50", "50 – 100", "> 100", "no data"]
    assert not any("label_ko" in entry or "label_en" in entry for entry in legend)  # one language per reader
