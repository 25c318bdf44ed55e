"""`manage.py load_osm`: an OpenStreetMap extract into the base map's PostGIS table, read with GDAL's OSM driver.
The extract is written from the repository's real Seoul data (tests/layers/osm_extract.py)."""
import io
import json

import pytest
from django.contrib.gis.geos import GEOSGeometry
from django.core.management import CommandError, call_command

from layers.models import BasemapFeature

from .osm_extract import SEOUL, write_extract


def test_gdal_reads_openstreetmap_extracts():
    from django.contrib.gis.gdal import Driver

    assert Driver("OSM").name == "OSM"


def test_load_osm_stores_the_stations_the_dong_area_and_the_gu_line_of_a_real_extract(db, tmp_path):
    extract = tmp_path / "gangnam.osm"
    held = write_extract(extract)
    call_command("load_osm", str(extract), stdout=(out := io.StringIO()))
    stations = BasemapFeature.objects.filter(kind="point")
    assert sorted(stations.values_list("name_ko", flat=True)) == held["stations"]
    assert set(stations.values_list("layer", "osm_type")) == {("pois", "node")}
    gangnam = stations.get(name="강남")
    assert gangnam.tags["railway"] == "station" and gangnam.geom.geom_type == "Point"

    dong = json.loads((SEOUL / "seoul_dong.geojson").read_text())
    outline = GEOSGeometry(json.dumps(next(f for f in dong["features"] if f["properties"]["name"] == "역삼1동")["geometry"]))
    area = BasemapFeature.objects.get(kind="area")
    assert (area.osm_type, area.osm_id, area.layer, area.name_en) == ("way", 1001, "boundaries", "Yeoksam 1(il)-dong")
    assert area.geom.geom_type == "MultiPolygon" and area.geom.num_coords == held["dong_vertices"]
    assert area.geom.equals_exact(outline, tolerance=1e-7)  # the dong's own outline, vertex for vertex
    line = BasemapFeature.objects.get(kind="line")
    assert (line.name, line.layer, line.geom.geom_type, line.geom.num_coords) == ("강남구", "boundaries", "LineString", 40)
    assert "z_order" not in line.tags and line.tags["admin_level"] == "6"
    assert "9 OpenStreetMap features" in out.getvalue() and "pois 7" in out.getvalue()

    call_command("load_osm", str(extract), stdout=io.StringIO())  # a new extract replaces the old
    assert BasemapFeature.objects.count() == len(held["stations"]) + 2


@pytest.mark.parametrize("name, content, says", [
    ("missing.osm", None, "No such file"),
    ("stations.geojson", "{}", "ending in .osm.pbf or .osm"),
    ("broken.osm", "<osm><node id=", "parsing of data around byte 14"),
])
def test_load_osm_refuses_what_is_not_a_readable_extract_and_keeps_the_loaded_one(db, tmp_path, name, content, says):
    good = tmp_path / "gangnam.osm"
    write_extract(good)
    call_command("load_osm", str(good), stdout=io.StringIO())
    before = BasemapFeature.objects.count()
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    with pytest.raises(CommandError, match=says):
        call_command("load_osm", str(path), stdout=io.StringIO())
    assert BasemapFeature.objects.count() == before


def test_build_basemap_turns_the_loaded_extract_into_tiles_the_basemap_endpoint_serves(db, tmp_path, client, settings):
    """`build_basemap` writes the loaded features as a PMTiles archive in the Protomaps schema: served at
    /basemap/…, the z14 tile at Yeoksam station holds the land, the station as a `pois` station with its Korean
    name, the dong's outline and the gu's line as `boundaries`."""
    import gzip

    import mapbox_vector_tile

    extract = tmp_path / "gangnam.osm"
    write_extract(extract)
    call_command("load_osm", str(extract), stdout=io.StringIO())
    archive = tmp_path / "seoul.pmtiles"
    out = io.StringIO()
    call_command("build_basemap", str(archive), "--minzoom", "12", "--maxzoom", "14", stdout=out)
    assert "tiles (zoom 12–14) written" in out.getvalue()
    settings.BASEMAP_PMTILES = str(archive)
    response = client.get("/basemap/14/13973/6348.mvt")  # Yeoksam station (127.0366, 37.5006)
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    tile = mapbox_vector_tile.decode(gzip.decompress(response.content))
    assert {"earth", "pois", "boundaries"} <= set(tile), set(tile)
    stations = {f["properties"]["name:ko"]: f["properties"] for f in tile["pois"]["features"]}
    assert stations["역삼"]["kind"] == "station" and stations["역삼"]["min_zoom"] == 13
    boundaries = {(f["properties"]["name"], f["properties"]["kind"], f["geometry"]["type"])
                  for f in tile["boundaries"]["features"]}
    assert boundaries == {("역삼1동", "locality", "Polygon"), ("강남구", "county", "LineString")}, boundaries
    assert client.get("/basemap/14/0/0.mvt").status_code == 204  # nothing loaded there


def test_build_basemap_without_loaded_features_says_to_load_an_extract_first(db, tmp_path):
    with pytest.raises(CommandError, match="load_osm"):
        call_command("build_basemap", str(tmp_path / "seoul.pmtiles"), stdout=io.StringIO())
