import io

from dashboards.demo import load_demo
from dashboards.models import Indicator, IndicatorImport


def test_demo_indicators_are_real_computed_figures_and_load_twice_alike(open_data):
    load_demo(io.StringIO())
    versions = IndicatorImport.objects.count()
    load_demo(io.StringIO())
    assert IndicatorImport.objects.count() == versions
    assert not Indicator.objects.exclude(kind="computed").exists()
    toilets = Indicator.objects.get(slug="public-toilets")
    assert sum(toilets.values.values_list("value", flat=True)) >= 4582  # of 4,585 points, 4,582 inside the gu
