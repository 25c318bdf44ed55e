import pytest


@pytest.fixture(autouse=True)
def private_tile_cache(settings, tmp_path):
    settings.TILES_CACHE_BACKEND = "filesystem"
    settings.TILES_CACHE_DIR = str(tmp_path / "tilecache")
    settings.TILESETS_DIR = str(tmp_path / "tilesets")
    return settings.TILES_CACHE_DIR


