"""Every layer an analysis can read has someone who answers for it, sees the analyses of it and may veto them:
a citizen's map its owner, every layer of the city (reports, open data, districts, indicators, projects,
meetings, proposals) city staff. Nobody else can withdraw an analysis."""
import pytest
from django.contrib.gis.geos import Point

from analysis.models import Analysis
from analysis.services import analysis_create
from analysis.sources import SourceError, source_layer
from layers.registry import Viewer, registry
from maps.services import feature_create, map_create

from .conftest import CITY_HALL

pytestmark = pytest.mark.django_db


def _analysable(analyst) -> list[str]:
    """Every layer the analyst could choose as a source, one per family (map-1, map-2 … count once)."""
    names, families = [], set()
    for layer in registry.listed(Viewer(user=analyst)):
        try:
            source_layer(layer.name, viewer=Viewer(user=analyst))
        except SourceError:
            continue
        family = layer.name.split("-", 1)[0]
        if family not in families:
            families.add(family)
            names.append(layer.name)
    return names


def test_each_analysable_layer_is_vetoed_by_whom_it_belongs_to_and_by_nobody_else(
        toilets, citizen, citizen2, analyst, staff, client_for):
    public_map = map_create(owner=citizen, title="동네 쉼터", visibility="public")
    feature_create(map_obj=public_map, actor=citizen, geom=Point(*CITY_HALL, srid=4326), name="쉼터")
    sources = _analysable(analyst)
    assert {"map", "reports", "dataset", "districts"} <= {name.split("-", 1)[0] for name in sources}, sources
    for name in sources:
        analysis = analysis_create(user=analyst, name=f"aggregate {name}", method="aggregation",
                                   parameters={"source": name, "unit": "district"})
        owner = citizen if name.startswith("map-") else staff
        # who may see the draft (its author; city staff) is told no; anyone else learns nothing of it
        outsiders = [(analyst, 403), (citizen2, 404), (staff, 403) if owner is citizen else (citizen, 404)]
        for outsider, status in outsiders:
            refused = client_for(outsider).post(f"/api/analyses/{analysis.pk}/withdraw/")
            assert refused.status_code == status, (name, outsider.username, refused.status_code)
            if status == 403:
                assert "시 직원" in refused.json()["detail"], refused.json()
            assert Analysis.objects.get(pk=analysis.pk).withdrawn_at is None
        listed = client_for(owner).get("/api/analyses/").json()["results"]
        assert analysis.pk in [a["id"] for a in listed], name  # the owner sees it, published or not
        vetoed = client_for(owner).post(f"/api/analyses/{analysis.pk}/withdraw/")
        assert vetoed.status_code == 200, (name, vetoed.content)
        again = client_for(analyst).post(f"/api/analyses/{analysis.pk}/publish/")
        assert again.status_code == 400, name
