"""Writes on the layer app's own data: open datasets."""
import json
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from .models import Dataset, DatasetFeature


@transaction.atomic
def dataset_load_geojson(*, slug: str, path: Path, progress=None, **fields) -> Dataset:
    """Create or replace a dataset from a GeoJSON file (idempotent: same file, same rows)."""
    dataset, _ = Dataset.objects.update_or_create(slug=slug, defaults=fields)
    features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    dataset.features.all().delete()
    rows = []
    for i, feature in enumerate(features, 1):
        props = feature.get("properties") or {}
        rows.append(DatasetFeature(
            dataset=dataset,
            name=str(props.get(dataset.name_property) or "")[:300] if dataset.name_property else "",
            properties=props,
            geom=GEOSGeometry(json.dumps(feature["geometry"]), srid=4326),
        ))
        if progress:
            progress(i)
    DatasetFeature.objects.bulk_create(rows, batch_size=2000)
    return dataset
