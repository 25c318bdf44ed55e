"""Loading Seoul's districts and dongs, with their resident counts, from data/seoul/."""
import csv
import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import transaction

from .models import District, Dong
from .signals import districts_renamed

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
    """Create or update the 25 gu and 424 dongs; running it twice changes nothing.

    Two upserts (INSERT … ON CONFLICT (code) DO UPDATE), one per table, rather than a query pair per row: the
    test suite reloads the districts after every flush of a transactional test. Districts whose name changed are
    announced (`signals.districts_renamed`), in this transaction, to the apps that keep a copy of the names."""
    gu_population = _csv_by(data_dir / "seoul_gu_population.csv", "sig_cd")
    dong_population = _csv_by(data_dir / "seoul_dong_population.csv", "adm_cd2")
    gu_features = json.loads((data_dir / "seoul_gu.geojson").read_text(encoding="utf-8"))["features"]
    names_before = {code: (ko, en) for code, ko, en in District.objects.values_list("code", "name_ko", "name_en")}
    districts = []
    for feature in gu_features:
        props = feature["properties"]
        population = gu_population.get(props["sig_cd"], {})
        districts.append(District(
            code=props["sig_cd"],
            kostat_code=props["code"],
            name_ko=props["name"],
            name_en=props["name_eng"],
            population=int(population["population"]) if population else None,
            households=int(population["households"]) if population else None,
            population_date=POPULATION_DATE if population else None,
            geom=_multipolygon(feature["geometry"]),
        ))
    District.objects.bulk_create(
        districts, update_conflicts=True, unique_fields=["code"],
        update_fields=["kostat_code", "name_ko", "name_en", "population", "households", "population_date", "geom"])
    district_ids = dict(District.objects.filter(code__in=[d.code for d in districts]).values_list("code", "pk"))
    renamed = [district_ids[d.code] for d in districts
               if d.code in names_before and names_before[d.code] != (d.name_ko, d.name_en)]
    if renamed:
        districts_renamed.send(sender=District, district_ids=renamed)
    dong_features = json.loads((data_dir / "seoul_dong.geojson").read_text(encoding="utf-8"))["features"]
    dongs = []
    for feature in dong_features:
        props = feature["properties"]
        population = dong_population.get(props["adm_cd2"], {})
        dongs.append(Dong(
            code=props["adm_cd2"],
            kostat_code=props["code"],
            name_ko=props["name"],
            name_en=props["name_eng"] or props["name"],
            district_id=district_ids[props["sig_cd"]],
            population=int(population["population"]) if population else None,
            households=int(population["households"]) if population else None,
            geom=_multipolygon(feature["geometry"]),
        ))
    Dong.objects.bulk_create(
        dongs, update_conflicts=True, unique_fields=["code"],
        update_fields=["kostat_code", "name_ko", "name_en", "district", "population", "households", "geom"])
    return len(districts), len(dongs)
