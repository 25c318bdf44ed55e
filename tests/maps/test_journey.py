"""The issue's "done when" journey, through the HTTP API with citizens' tokens."""
import io
import subprocess

from PIL import Image

from maps.models import FeaturePhoto

from .conftest import GANGNAM_TOILET, dong_polygon, jpeg_with_gps, street, toilet


def _post_feature(client, map_id, geometry, **props):
    return client.post(f"/api/maps/{map_id}/features/", {"geometry": geometry, **props}, format="json")


def test_citizen_journey_from_template_to_geopackage_export(client_for, citizen, citizen2, tmp_path, seoul):
    minji, jihoon = client_for(citizen), client_for(citizen2)

    templates = minji.get("/api/templates/").json()["results"]
    safety = next(t for t in templates if t["slug"] == "safety")
    assert {"dark_alley", "dangerous_crossing", "emergency_bell"} <= {c["key"] for c in safety["categories"]}

    created = minji.post("/api/maps/", {"title": "테헤란로 밤길 안전 지도", "template": "safety",
                                        "description": "강남역–역삼역 사이 밤길", "contribution_mode": "open"},
                         format="json")
    assert created.status_code == 201, created.content
    safety_map = created.json()
    map_id = safety_map["id"]
    assert safety_map["theme"] == "safety" and safety_map["layer"] == f"map-{map_id}"
    assert safety_map["tilejson"].endswith(f"/tiles/map-{map_id}.json")
    assert [c["key"] for c in safety_map["categories"]] == [c["key"] for c in safety["categories"]]

    point = _post_feature(minji, map_id, toilet(GANGNAM_TOILET)["geometry"], name="강남역 지하상가 비상벨",
                          category="emergency_bell")
    line = _post_feature(minji, map_id, street("강남", "역삼"), name="테헤란로 횡단보도", category="dangerous_crossing")
    polygon = _post_feature(minji, map_id, dong_polygon("역삼1동", "강남구"), name="역삼1동 골목",
                            category="dark_alley", description="가로등이 <script>alert(1)</script>**어둡다**")
    for response in (point, line, polygon):
        assert response.status_code == 201, response.content
        assert response.json()["properties"]["status"] == "published"
    assert "<script>" not in polygon.json()["properties"]["description_html"]
    assert "<strong>어둡다</strong>" in polygon.json()["properties"]["description_html"]
    polygon_id = polygon.json()["id"]

    upload = io.BytesIO(jpeg_with_gps())
    upload.name = "alley.jpg"
    photo = minji.post(f"/api/maps/{map_id}/features/{polygon_id}/photos/", {"image": upload, "caption": "밤 10시"},
                       format="multipart")
    assert photo.status_code == 201, photo.content
    stored = FeaturePhoto.objects.get(pk=photo.json()["id"])
    with Image.open(stored.image.path) as img:
        assert img.format == "JPEG"
        assert len(img.getexif()) == 0 and "exif" not in img.info
    with Image.open(io.BytesIO(jpeg_with_gps())) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload did carry a GPS position
    served = minji.get(photo.json()["url"])
    assert served.status_code == 200
    with Image.open(io.BytesIO(b"".join(served.streaming_content))) as img:
        assert len(img.getexif()) == 0

    # a second citizen contributes to the open map: published at once
    contribution = _post_feature(jihoon, map_id, toilet("역삼공원")["geometry"], name="역삼공원 CCTV", category="cctv")
    assert contribution.status_code == 201 and contribution.json()["properties"]["status"] == "published"

    # ... and suggests to a moderated one: pending until the owner approves
    moderated = minji.post("/api/maps/", {"title": "역삼동 안심귀갓길", "template": "safety",
                                          "contribution_mode": "moderated"}, format="json").json()
    suggestion = _post_feature(jihoon, moderated["id"], toilet("역삼역")["geometry"], name="역삼역 안심귀갓길 시작점",
                               category="safe_route")
    assert suggestion.status_code == 201 and suggestion.json()["properties"]["status"] == "pending"
    suggestion_id = suggestion.json()["id"]
    assert client_for(None).get(f"/api/maps/{moderated['id']}/features/").json()["count"] == 0
    queue = minji.get(f"/api/maps/{moderated['id']}/suggestions/").json()
    assert [f["id"] for f in queue["features"]] == [suggestion_id]
    approved = minji.post(f"/api/maps/{moderated['id']}/features/{suggestion_id}/review/", {"decision": "approve"},
                          format="json")
    assert approved.status_code == 200 and approved.json()["properties"]["status"] == "published"
    assert client_for(None).get(f"/api/maps/{moderated['id']}/features/").json()["count"] == 1

    # every step is in the history
    steps = minji.get(f"/api/maps/{moderated['id']}/features/{suggestion_id}/history/").json()["results"]
    assert [(s["action"], s["actor"]) for s in steps] == [("suggest", "jihoon"), ("approve", "minji")]
    assert steps[1]["before"]["properties"]["status"] == "pending"
    assert steps[1]["after"]["properties"]["status"] == "published"
    map_steps = minji.get(f"/api/maps/{map_id}/history/").json()["results"]
    assert sorted((s["action"], s["actor"]) for s in map_steps) == sorted(
        [("create", "minji")] * 3 + [("create", "jihoon")])

    # the owner makes the second citizen an editor; both load the point, one saves first, the other is stale
    invited = minji.post(f"/api/maps/{map_id}/collaborators/", {"username": "jihoon", "role": "editor"}, format="json")
    assert invited.status_code == 201, invited.content
    point_id = point.json()["id"]
    current = minji.get(f"/api/maps/{map_id}/features/{point_id}/")
    etag = current["ETag"]
    first = minji.patch(f"/api/maps/{map_id}/features/{point_id}/", {"name": "강남역 비상벨 (확인됨)"},
                        format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200 and first.json()["properties"]["version"] == 2
    stale = jihoon.patch(f"/api/maps/{map_id}/features/{point_id}/", {"name": "덮어쓰기"}, format="json",
                         HTTP_IF_MATCH=etag)
    assert stale.status_code == 409
    assert stale.json()["current"]["properties"]["name"] == "강남역 비상벨 (확인됨)"
    assert stale.json()["current"]["properties"]["version"] == 2
    update_steps = minji.get(f"/api/maps/{map_id}/features/{point_id}/history/").json()["results"]
    assert [s["action"] for s in update_steps] == ["create", "update"]
    assert update_steps[1]["before"]["properties"]["name"] == "강남역 지하상가 비상벨"

    # a GeoPackage export opens with ogrinfo and has the same number of features
    export = minji.get(f"/api/maps/{map_id}/export.gpkg")
    assert export.status_code == 200
    path = tmp_path / "map.gpkg"
    path.write_bytes(b"".join(export.streaming_content))
    info = subprocess.run(["ogrinfo", "-so", "-al", str(path)], capture_output=True, text=True, check=True).stdout
    listed = minji.get(f"/api/maps/{map_id}/features/").json()
    assert listed["count"] == 4
    assert "Feature Count: 4" in info


def test_every_export_format_holds_the_maps_features(client_for, citizen, make_map, seoul, tmp_path):
    import json as _json

    from django.contrib.gis.geos import GEOSGeometry

    from maps.services import feature_create

    m = make_map(citizen, title="테헤란로 내보내기")
    for geometry, name in ((toilet(GANGNAM_TOILET)["geometry"], "지하상가"), (street("강남", "역삼"), "테헤란로"),
                           (dong_polygon("역삼1동", "강남구"), "역삼1동")):
        feature_create(map_obj=m, actor=citizen, geom=GEOSGeometry(_json.dumps(geometry)), name=name)
    client = client_for(None)
    for fmt, ext in (("geojson", "geojson"), ("csv", "csv"), ("kml", "kml"), ("shp", "zip"), ("gpkg", "gpkg")):
        response = client.get(f"/api/maps/{m.pk}/export.{fmt}")
        assert response.status_code == 200, fmt
        path = tmp_path / f"map.{ext}"
        path.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
        source = f"/vsizip/{path}" if ext == "zip" else str(path)
        info = subprocess.run(["ogrinfo", "-ro", "-al", "-so", source], capture_output=True, text=True).stdout
        counts = [int(line.split(":")[1]) for line in info.splitlines() if line.startswith("Feature Count")]
        assert sum(counts) == 3, (fmt, info[:500])
    assert client.get(f"/api/maps/{m.pk}/export.exe").status_code == 400
