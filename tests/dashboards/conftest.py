import pytest
from django.core.cache import cache

from dashboards.services import indicator_create
from layers.models import Dataset
from layers.opendata import SEOUL_DATASETS, opendata_load


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache; every test starts with none."""
    cache.clear()
    yield
    cache.clear()


def _load_missing():
    for slug in SEOUL_DATASETS:
        if not Dataset.objects.filter(slug=slug).exists():
            opendata_load(slug)


@pytest.fixture(scope="session")
def _open_data_once(django_db_setup, django_db_blocker):
    """Load the datasets once, outside the tests' rolled-back transactions."""
    with django_db_blocker.unblock():
        _load_missing()


@pytest.fixture
def open_data(_open_data_once, db, seoul):
    """The real Seoul open datasets (toilets, libraries, stations); reloaded if a transactional test flushed them."""
    _load_missing()
    return SEOUL_DATASETS


@pytest.fixture
def indicator(staff, seoul):
    return indicator_create(user=staff, slug="parking-complaints", name_ko="불법주차 민원", name_en="Parking complaints",
                            theme="transport", unit_ko="건", unit_en="complaints",
                            source_department="교통정책과 / Transport Policy Division")
