"""Loading Seoul's districts and dongs, with their resident counts, from data/seoul/."""
import csv
import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction

from .models import District, Dong

DATA_DIR = Path(settings.BASE_DIR) / "data" / "seoul"
POPULATION_DATE = datetime.date(2025, 9, 30)


def _multipolygon(geometry: dict) -> MultiPolygon:
    geom = GEOSGeometry(json.dumps(geometry), srid=4326)
    return geom if geom.geom_type == "MultiPolygon" else MultiPolygon(geom, srid=4326)


def _csv_by(path: Path, key: str) -> dict[str, dict]:
    with path.open(encoding="utf-8") as fh:
        return {row[key]: row for row in csv.DictReader(fh)}


@transaction.atomic
def seoul_load(*, data_dir: Path = DATA_DIR) -> tuple[int, int]:
    """Create or update the 25 gu and 424 dongs; running it twice changes nothing."""
    gu_population = _csv_by(data_dir / "seoul_gu_population.csv", "sig_cd")
    dong_population = _csv_by(data_dir / "seoul_dong_population.csv", "adm_cd2")
    gu_features = json.loads((data_dir / "seoul_gu.geojson").read_text(encoding="utf-8"))["features"]
    districts = {}
    for feature in gu_features:
        props = feature["properties"]
        population = gu_population.get(props["sig_cd"], {})
        district, _ = District.objects.update_or_create(
            code=props["sig_cd"],
            defaults=dict(
                kostat_code=props["code"],
                name_ko=props["name"],
                name_en=props["name_eng"],
                population=int(population["population"]) if population else None,
                households=int(population["households"]) if population else None,
                population_date=POPULATION_DATE if population else None,
                geom=_multipolygon(feature["geometry"]),
            ),
        )
        districts[props["sig_cd"]] = district
    dong_features = json.loads((data_dir / "seoul_dong.geojson").read_text(encoding="utf-8"))["features"]
    for feature in dong_features:
        props = feature["properties"]
        population = dong_population.get(props["adm_cd2"], {})
        Dong.objects.update_or_create(
            code=props["adm_cd2"],
            defaults=dict(
                kostat_code=props["code"],
                name_ko=props["name"],
                name_en=props["name_eng"] or props["name"],
                district=districts[props["sig_cd"]],
                population=int(population["population"]) if population else None,
                households=int(population["households"]) if population else None,
                geom=_multipolygon(feature["geometry"]),
            ),
        )
    return len(districts), len(dong_features)
