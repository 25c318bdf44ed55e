"""Computed indicators from the real open datasets, counted by hand against the real district polygons."""
from django.contrib.gis.geos import GEOSGeometry

from dashboards.computed import COMPUTATIONS
from dashboards.models import Indicator
from dashboards.selectors import indicator_values
from dashboards.services import computed_indicators_ensure, computed_indicators_refresh, indicator_refresh
from dashboards.tasks import computed_indicators_refresh_task
from layers.models import DatasetFeature


def _by_hand(slug, district):
    """Count the dataset's points inside the district polygon in Python (GEOS), not in SQL."""
    polygon = GEOSGeometry(district.geom.wkb, srid=4326).prepared
    return sum(1 for f in DatasetFeature.objects.filter(dataset__slug=slug).only("geom") if polygon.intersects(f.geom))


def test_libraries_and_toilets_per_district_match_a_count_by_hand(open_data, seoul):
    computed_indicators_ensure()
    computed_indicators_refresh(keys=["public-libraries", "public-toilets-per-10k"])
    gangnam, jongno = seoul["11680"], seoul["11110"]
    libraries = {v.district.code: v.value
                 for v in indicator_values(indicator=Indicator.objects.get(slug="public-libraries"))}
    assert len(libraries) == 25
    assert libraries["11680"] == _by_hand("seoul_public_libraries", gangnam)
    assert libraries["11110"] == _by_hand("seoul_public_libraries", jongno)
    assert sum(libraries.values()) == 215  # every library lies inside exactly one gu
    toilets = {v.district.code: v.value
               for v in indicator_values(indicator=Indicator.objects.get(slug="public-toilets-per-10k"))}
    expected = round(_by_hand("seoul_public_toilets", jongno) * 10_000 / jongno.population, 2)
    assert toilets["11110"] == expected


def test_stations_outside_seoul_are_not_counted(open_data):
    computed_indicators_ensure()
    computed_indicators_refresh(keys=["subway-stations"])
    stations = indicator_values(indicator=Indicator.objects.get(slug="subway-stations"))
    assert sum(v.value for v in stations) == 525  # of 909 capital-area points (data/seoul/SOURCES.md)


def test_a_refresh_with_unchanged_figures_makes_no_new_version(open_data):
    indicator = next(i for i in computed_indicators_ensure() if i.computation == "public-libraries")
    first = indicator_refresh(indicator=indicator)
    assert first.version == 1
    assert indicator_refresh(indicator=indicator) is None
    assert indicator.imports.count() == 1


def test_the_background_task_refreshes_every_computed_indicator(open_data):
    computed_indicators_ensure()
    result = computed_indicators_refresh_task.enqueue()
    assert set(COMPUTATIONS) <= set(result.return_value)
    # without any report, the medians and the resolved share have no value anywhere: no version yet
    empty = set(Indicator.objects.computed().filter(imports__isnull=True).values_list("slug", flat=True))
    assert empty == {"reports-days-to-acknowledge", "reports-days-to-resolve", "reports-resolved-share"}


def test_staff_refresh_on_demand_and_citizens_cannot(open_data, client_for, staff, citizen):
    computed_indicators_ensure()
    indicator = Indicator.objects.get(slug="public-libraries")
    assert client_for(citizen).post(f"/api/indicators/{indicator.pk}/refresh/").status_code == 403
    response = client_for(staff).post(f"/api/indicators/{indicator.pk}/refresh/")
    assert response.status_code == 200
    assert len(response.json()["districts"]) == 25
