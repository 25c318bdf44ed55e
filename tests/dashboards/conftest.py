import pytest

from dashboards.services import indicator_create
from layers.models import Dataset
from layers.opendata import SEOUL_DATASETS, opendata_load


@pytest.fixture
def open_data(db, seoul):
    """The real Seoul open datasets (toilets, libraries, stations), loaded when missing."""
    for slug in SEOUL_DATASETS:
        if not Dataset.objects.filter(slug=slug).exists():
            opendata_load(slug)
    return SEOUL_DATASETS


@pytest.fixture
def indicator(staff, seoul):
    return indicator_create(user=staff, slug="parking-complaints", name_ko="불법주차 민원", name_en="Parking complaints",
                            theme="transport", unit_ko="건", unit_en="complaints",
                            source_department="교통정책과 / Transport Policy Division")
