"""Fixtures for the layer and tile tests: the real open datasets, test layers with controlled access, Redis."""

import pytest
from django.contrib.gis.geos import Point
from django.db.models import DateTimeField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory

from layers.aggregates import aggregates_rebuild
from layers.models import Dataset, DatasetFeature
from layers.opendata import SEOUL_DATASETS, opendata_load
from layers.registry import Layer, Viewer, registry
from layers.selectors import aggregates_ready

CITY_HALL = (126.9779, 37.5663)  # Seoul City Hall, Jung-gu
GANGNAM_STATION = (127.0276, 37.4979)


@pytest.fixture(autouse=True)
def private_tile_cache(settings, tmp_path):
    """Each test its own tile cache: rows a test rolls back never reach another test's tiles."""
    settings.TILES_CACHE_BACKEND = "filesystem"
    settings.TILES_CACHE_DIR = str(tmp_path / "tilecache")
    settings.TILESETS_DIR = str(tmp_path / "tilesets")
    return settings.TILES_CACHE_DIR


@pytest.fixture(scope="session")
def _open_data_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        for slug in SEOUL_DATASETS:
            if not Dataset.objects.filter(slug=slug).exists():
                opendata_load(slug)


@pytest.fixture
def datasets(_open_data_loaded, seoul):
    """The real Seoul open datasets (toilets, libraries, stations), reloaded after a transactional flush."""
    for slug in SEOUL_DATASETS:
        if not DatasetFeature.objects.filter(dataset__slug=slug).exists():
            opendata_load(slug)
    return {d.slug: d for d in Dataset.objects.all()}


@pytest.fixture
def spots(db):
    """An unpublished dataset of real Seoul places owned by the test: a private layer's rows."""
    dataset = Dataset.objects.create(slug="test_private_spots", title_ko="비공개 장소", title_en="Private spots",
                                     is_published=False)
    places = {
        "Seoul City Hall": CITY_HALL,
        "Gangnam Station": GANGNAM_STATION,
        "Gyeongbokgung": (126.9770, 37.5796),
    }
    rows = [DatasetFeature(dataset=dataset, name=name, geom=Point(*lonlat, srid=4326),
                           properties={"owner": None, "date": f"2026-0{i + 1}-15T12:00:00+09:00"})
            for i, (name, lonlat) in enumerate(places.items())]
    DatasetFeature.objects.bulk_create(rows)
    return dataset


@pytest.fixture
def register_layer():
    """Register short-lived layers; they are removed after the test."""
    names = []

    def register(layer: Layer) -> Layer:
        names.append(layer.name)
        return registry.register(layer)

    yield register
    for name in names:
        registry.unregister(name)


@pytest.fixture
def private_layer(register_layer, spots, citizen):
    """A layer only `citizen` may see (like a private map): everyone else gets 404."""
    return register_layer(Layer(
        name="testprivate", title_ko="비공개", title_en="Private", geometry_type="point", fields=("name",),
        public=False,
        queryset_factory=lambda viewer: DatasetFeature.objects.filter(dataset=spots),
        can_view_rule=lambda viewer: viewer.user.is_authenticated and viewer.user.pk == citizen.pk,
    ))


@pytest.fixture
def per_user_layer(register_layer, spots):
    """A layer every signed-in user may open but whose rows depend on who asks (owner in properties)."""
    def rows(viewer: Viewer):
        owner = viewer.user.pk if viewer.user.is_authenticated else -1
        return DatasetFeature.objects.filter(dataset=spots, properties__owner=owner)

    return register_layer(Layer(
        name="testmine", title_ko="내 장소", title_en="My spots", geometry_type="point", fields=("name",),
        public=False, queryset_factory=rows, can_view_rule=lambda viewer: viewer.user.is_authenticated,
    ))


@pytest.fixture
def dated_layer(register_layer, spots):
    """A public layer whose features carry a time (for OGC `datetime`)."""
    return register_layer(Layer(
        name="testdated", title_ko="시간 있는 장소", title_en="Dated spots", geometry_type="point",
        fields=("name", "observed"), datetime_field="observed",
        queryset_factory=lambda viewer: DatasetFeature.objects.filter(dataset=spots).annotate(
            observed=Cast(KT("properties__date"), DateTimeField())),
    ))


@pytest.fixture
def wsgi():
    """Call a WSGI application as a server would, inside the test's transaction (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)

    def call(app, path, method="GET", **headers):
        environ = getattr(RequestFactory(), method.lower())(path, **headers).environ
        answer = {}

        def start_response(status, response_headers, exc_info=None):
            answer["status"] = int(status.split()[0])
            answer["headers"] = dict(response_headers)

        chunks = app(environ, start_response)
        body = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        return answer["status"], answer["headers"], body

    yield call
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def dong_shapes(register_layer, seoul):
    from districts.models import Dong
    from layers.registry import Layer

    layer = register_layer(Layer(name="testdongs", title_ko="동", title_en="Dongs", geometry_type="polygon",
                                 fields=("code", "name_en"), queryset_factory=lambda viewer: Dong.objects.all(),
                                 static_queryset=True, aggregated=True))
    aggregates_rebuild(layer=layer)
    assert aggregates_ready(layer)
    return layer
