import pytest

pytestmark = pytest.mark.django_db

GANGNAM = "11680"
SEOCHO = "11650"


def test_all_25_districts_are_a_geojson_feature_collection(api, seoul):
    body = api.get("/api/districts/").json()
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 25
    names = {f["properties"]["name_en"] for f in body["features"]}
    assert {"Gangnam-gu", "Jongno-gu", "Mapo-gu"} <= names
    gangnam = next(f for f in body["features"] if f["id"] == GANGNAM)
    assert gangnam["properties"]["name_ko"] == "강남구"
    assert gangnam["properties"]["kostat_code"] == "11230"
    assert gangnam["geometry"]["type"] == "MultiPolygon"


def test_point_in_gangnam_finds_gangnam(api, seoul):
    body = api.get("/api/districts/", {"lon": 127.047, "lat": 37.517}).json()
    assert [f["properties"]["name_en"] for f in body["features"]] == ["Gangnam-gu"]
    assert body["features"][0]["properties"]["name_ko"] == "강남구"


def test_point_on_the_gangnam_seocho_boundary_belongs_to_both(api, seoul):
    from django.db import connection

    # A real vertex in the middle of the shared border (away from triple points), from the data itself.
    with connection.cursor() as cur:
        cur.execute(
            """WITH border AS (
                 SELECT (ST_Dump(ST_LineMerge(ST_CollectionExtract(ST_Intersection(a.geom, b.geom), 2)))).geom AS line
                 FROM districts_district a, districts_district b WHERE a.code=%s AND b.code=%s),
               longest AS (SELECT line FROM border ORDER BY ST_Length(line) DESC LIMIT 1)
               SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointN(line, ST_NPoints(line) / 2) AS p FROM longest) s""",
            [GANGNAM, SEOCHO],
        )
        lon, lat = cur.fetchone()
    codes = {f["id"] for f in api.get("/api/districts/", {"lon": lon, "lat": lat}).json()["features"]}
    assert codes == {GANGNAM, SEOCHO}


@pytest.mark.parametrize(
    "lon,lat",
    [
        (126.7052, 37.4563),  # Incheon city hall
        (127.0286, 37.2636),  # Suwon
        (0.0, 0.0),
    ],
)
def test_point_outside_seoul_gives_an_empty_collection(api, seoul, lon, lat):
    response = api.get("/api/districts/", {"lon": lon, "lat": lat})
    assert response.status_code == 200
    assert response.json() == {"type": "FeatureCollection", "count": 0, "next": None, "previous": None, "features": []}


@pytest.mark.parametrize(
    "query,message",
    [
        ({"lon": "abc", "lat": "37.5"}, "lon"),
        ({"lon": "127", "lat": "95"}, "lat"),
        ({"lon": "127"}, "both"),
    ],
)
def test_bad_coordinates_are_a_400_with_a_message(api, seoul, query, message):
    response = api.get("/api/districts/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_district_detail_by_mois_code(api, seoul):
    body = api.get(f"/api/districts/{GANGNAM}/").json()
    assert body["properties"]["name_en"] == "Gangnam-gu"
    # 11230 is Gangnam's KOSTAT code and Dongdaemun's MOIS code: the API speaks MOIS.
    assert api.get("/api/districts/11230/").json()["properties"]["name_en"] == "Dongdaemun-gu"
    assert api.get("/api/districts/11010/").status_code == 404


def test_resident_counts_are_loaded_and_sum_to_seoul(seoul):
    from districts.models import District, Dong
    from django.db.models import Sum

    assert District.objects.aggregate(s=Sum("population"))["s"] == 9_318_500
    assert Dong.objects.count() == 424
    assert Dong.objects.aggregate(s=Sum("population"))["s"] == 9_318_500


def test_loading_twice_changes_nothing(seoul):
    from districts.models import District, Dong
    from districts.services import seoul_load

    before = (District.objects.count(), Dong.objects.count())
    gangnam = District.objects.get(code="11680")
    yeoksam = Dong.objects.get(name_ko="역삼1동")
    District.objects.filter(pk=gangnam.pk).update(population=1, name_en="changed")
    seoul_load()
    assert (District.objects.count(), Dong.objects.count()) == before == (25, 424)
    reloaded = District.objects.get(code="11680")
    # Updated in place (rows that point at a district keep pointing at it), with the file's values back.
    assert reloaded.pk == gangnam.pk and reloaded.name_en == "Gangnam-gu" and reloaded.population == gangnam.population
    assert Dong.objects.get(name_ko="역삼1동").pk == yeoksam.pk and Dong.objects.get(pk=yeoksam.pk).district_id == gangnam.pk
