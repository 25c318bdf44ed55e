"""manage.py build_tileset: PMTiles v3 that the pmtiles package opens, MBTiles 1.3, a job row and errors."""
import gzip
import io
import json
import sqlite3

import mapbox_vector_tile
import pytest
from django.core.management import CommandError, call_command
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType

from jobs.models import Job
from layers.tilegrid import lonlat_to_tile_fraction

pytestmark = pytest.mark.django_db
CITY_HALL = (126.9779, 37.5663)


def tile_of(z):
    fx, fy = lonlat_to_tile_fraction(*CITY_HALL, z)
    return z, int(fx), int(fy)


def test_pmtiles_build_opens_with_the_pmtiles_package(seoul, tmp_path):
    output = tmp_path / "districts.pmtiles"
    err = io.StringIO()
    call_command("build_tileset", "districts", "--minzoom", "8", "--maxzoom", "12", "--format", "pmtiles",
                 "--output", str(output), stdout=io.StringIO(), stderr=err)
    assert "100%" in err.getvalue()  # the progress bar
    with open(output, "rb") as fh:
        reader = Reader(MmapSource(fh))
        header, metadata = reader.header(), reader.metadata()
        assert header["version"] == 3 and header["tile_type"] == TileType.MVT
        assert header["tile_compression"] == Compression.GZIP
        assert header["min_zoom"] == 8 and header["max_zoom"] == 12
        assert header["min_lon_e7"] < 1269779000 < header["max_lon_e7"]
        assert metadata["vector_layers"][0]["id"] == "districts"
        tile = mapbox_vector_tile.decode(gzip.decompress(reader.get(*tile_of(12))))
    assert {"Jung-gu", "Jongno-gu"} <= {f["properties"]["name_en"] for f in tile["districts"]["features"]}
    job = Job.objects.get(kind="tileset_build")
    assert job.state == Job.State.SUCCEEDED and job.percent == 100
    assert job.result["tiles"] > 10 and job.result["path"] == str(output)


def test_mbtiles_build_follows_the_1_3_spec(seoul, tmp_path):
    output = tmp_path / "dongs.mbtiles"
    call_command("build_tileset", "dongs", "--minzoom", "10", "--maxzoom", "12", "--format", "mbtiles",
                 "--bbox", "126.95,37.55,127.00,37.58", "--output", str(output), stdout=io.StringIO(),
                 stderr=io.StringIO())
    db = sqlite3.connect(output)
    metadata = dict(db.execute("SELECT name, value FROM metadata"))
    assert metadata["format"] == "pbf" and metadata["minzoom"] == "10" and metadata["maxzoom"] == "12"
    assert json.loads(metadata["json"])["vector_layers"][0]["id"] == "dongs"
    assert len(metadata["bounds"].split(",")) == 4 and len(metadata["center"].split(",")) == 3
    z, x, y = tile_of(12)
    row = db.execute("SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                     (z, x, 2 ** z - 1 - y)).fetchone()  # TMS rows
    features = mapbox_vector_tile.decode(gzip.decompress(row[0]))["dongs"]["features"]
    assert "명동" in {f["properties"]["name_ko"] for f in features}
    assert set(db.execute("SELECT DISTINCT zoom_level FROM tiles")) == {(10,), (11,), (12,)}


def test_bad_requests_are_refused_and_recorded(seoul, tmp_path, register_private):
    with pytest.raises(CommandError, match="No layer"):
        call_command("build_tileset", "nope", "--output", str(tmp_path / "x.pmtiles"))
    with pytest.raises(CommandError, match="bbox"):
        call_command("build_tileset", "districts", "--bbox", "1,2,3")
    with pytest.raises(CommandError, match="Zooms"):
        call_command("build_tileset", "districts", "--minzoom", "9", "--maxzoom", "3")
    with pytest.raises(CommandError, match="public"):
        call_command("build_tileset", register_private.name, "--output", str(tmp_path / "p.pmtiles"),
                     stderr=io.StringIO())
    assert Job.objects.get(kind="tileset_build").state == Job.State.FAILED
    assert not (tmp_path / "p.pmtiles").exists()


@pytest.fixture
def register_private(seoul):
    from districts.models import District
    from layers.registry import Layer, registry

    layer = registry.register(Layer(name="testprivatebuild", title_ko="비공개", title_en="Private",
                                    geometry_type="polygon", public=False,
                                    queryset_factory=lambda viewer: District.objects.all()))
    yield layer
    registry.unregister(layer.name)
