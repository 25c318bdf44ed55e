"""The vector base map: a PMTiles archive in the Protomaps schema (BASEMAP_PMTILES) served tile by tile
at /basemap/{z}/{x}/{y}.mvt, and described to the web app in its configuration."""
import gzip
import json

import mapbox_vector_tile
import pytest

from layers.basemap import basemap_config

YEOKSAM_TILE = (14, 13973, 6348)  # z14 tile holding Yeoksam station (127.0366, 37.5006)


def test_a_basemap_tile_is_the_archives_gzip_mvt_in_the_protomaps_schema(client, basemap):
    z, x, y = YEOKSAM_TILE
    response = client.get(f"/basemap/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    assert response["Content-Encoding"] == "gzip"
    tile = mapbox_vector_tile.decode(gzip.decompress(response.content))
    assert {"earth", "places", "pois"} <= set(tile)
    assert "역삼1동" in {f["properties"]["name:ko"] for f in tile["places"]["features"]}
    assert "역삼역" in {f["properties"]["name"] for f in tile["pois"]["features"] if f["properties"]["kind"] == "station"}


def test_a_tile_the_archive_lacks_is_204_and_a_bad_one_404(client, basemap):
    assert client.get("/basemap/14/0/0.mvt").status_code == 204  # the Pacific, far from Seoul
    assert client.get("/basemap/18/223520/101540.mvt").status_code == 204  # deeper than the archive goes
    assert client.get("/basemap/3/9/0.mvt").status_code == 404  # x outside the zoom's grid


def test_without_an_archive_there_is_no_basemap_endpoint_and_no_vector_source(client, settings):
    settings.BASEMAP_PMTILES = ""
    assert client.get("/basemap/14/13973/6348.mvt").status_code == 404
    assert basemap_config()["vector"] is None
    settings.BASEMAP_PMTILES = "/nonexistent/seoul.pmtiles"
    assert basemap_config()["vector"] is None


def test_the_pages_configuration_names_the_local_vector_source_with_the_archives_zooms_and_bounds(client, basemap):
    page = client.get("/").content.decode()
    config = json.loads(page.split('id="gp-config" type="application/json">')[1].split("</script>")[0])
    vector = config["basemap"]["vector"]
    assert vector["tiles"] == ["/basemap/{z}/{x}/{y}.mvt"]
    assert (vector["minzoom"], vector["maxzoom"]) == (9, 14)
    assert vector["bounds"] == pytest.approx([126.764, 37.413, 127.184, 37.715], abs=1e-6)
    assert "SOURCES.md" in vector["attribution"]  # the archive's own attribution when none is configured
