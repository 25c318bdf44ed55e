"""Fixtures of the analysis tests: the real Seoul open data, and a citizen-contributed point layer."""
import pytest
from django.contrib.gis.geos import Point
from django.db.models import DateTimeField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from layers.models import Dataset, DatasetFeature
from layers.opendata import opendata_load
from layers.registry import Layer, registry

CITY_HALL = (126.97797, 37.56654)
GANGNAM_STATION = (127.02761, 37.49794)
JAMSIL_STATION = (127.10002, 37.51333)
COEX = (127.05890, 37.51180)  # well inside Gangnam-gu
CONTRIBUTED_LAYER = "test_contributed"


OPEN_DATA = ("seoul_public_toilets", "seoul_public_libraries")


def _open_data_ensure():
    for slug in OPEN_DATA:
        if not Dataset.objects.filter(slug=slug).exists():
            opendata_load(slug)


@pytest.fixture(scope="session")
def _opendata_loaded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _open_data_ensure()


@pytest.fixture
def toilets(_opendata_loaded, seoul):
    _open_data_ensure()  # again when a transactional test flushed the database
    return Dataset.objects.get(slug="seoul_public_toilets")


@pytest.fixture
def libraries(_opendata_loaded, seoul):
    _open_data_ensure()
    return Dataset.objects.get(slug="seoul_public_libraries")


def _spread(center, n, step=0.0001):
    """n points within about 10-30 m of a place, on a small fixed spiral (no randomness)."""
    lon, lat = center
    offsets = [(0, 0), (1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, -1), (1, -1), (-1, 1), (2, 0), (0, 2),
               (-2, 0), (0, -2), (2, 1), (1, 2), (-2, -1), (-1, -2), (2, -1), (-1, 2), (-2, 1), (1, -2), (2, 2),
               (-2, -2), (2, -2), (-2, 2), (3, 0), (0, 3), (-3, 0), (0, -3), (3, 1)]
    return [(lon + dx * step, lat + dy * step) for dx, dy in offsets[:n]]


@pytest.fixture
def contributed(db, seoul):
    """A layer of citizens' records (not open data, so k-anonymity applies), with an observation date.

    Backed by dataset rows for storage, but registered as its own fixed layer, the way the
    reports and map layers are. `add(points, observed="2026-01-15")` adds records.
    """
    dataset = Dataset.objects.create(slug="test_contributed", title_ko="시민 기록", title_en="Citizens' records",
                                     is_published=False)

    def queryset(viewer):
        return (DatasetFeature.objects.filter(dataset=dataset)
                .annotate(observed=Cast(KT("properties__observed"), DateTimeField())))

    layer = registry.register(Layer(
        name=CONTRIBUTED_LAYER, title_ko="시민 기록", title_en="Citizens' records", geometry_type="point",
        fields=("name",), datetime_field="observed", queryset_factory=queryset,
    ))

    def add(points, observed="2026-01-15T10:30:00+09:00", name="record"):
        DatasetFeature.objects.bulk_create([
            DatasetFeature(dataset=dataset, name=name, properties={"observed": observed},
                           geom=Point(lon, lat, srid=4326)) for lon, lat in points])

    layer.add = add
    layer.spread = _spread
    yield layer
    registry._layers.pop(CONTRIBUTED_LAYER, None)


@pytest.fixture
def run_analysis():
    """Create and run an analysis through the services, as the API does."""
    from analysis.services import analysis_create, analysis_run

    def run(user, method, parameters, name="test analysis"):
        analysis = analysis_create(user=user, name=name, method=method, parameters=parameters)
        analysis = analysis_run(analysis=analysis, user=user)
        assert analysis.status == "succeeded", analysis.error
        return analysis

    return run
