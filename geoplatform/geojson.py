"""The API's one GeoJSON output: a geometry is a GeoJSON object whose coordinates are rounded to
GEOJSON_PRECISION decimals (6: about 0.1 m in Seoul, finer than any phone's GPS), wherever it is written.

- Python: `geometry_geojson(geom)`, and `feature(...)` / `feature_collection(...)` for a whole document;
- DRF serializers (djangorestframework-gis): `GeoJSONField()` as the geometry field of a `GeoFeatureModelSerializer`;
- SQL (OGC API items, exports): `AsGeoJSON(field, precision=GEOJSON_PRECISION)`.

A Feature is `{"type": "Feature", "id": …, "geometry": …, "properties": {…}}`.
"""
import json

from rest_framework_gis.fields import GeometryField

GEOJSON_PRECISION = 6


def _rounded(value):
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    return round(value, GEOJSON_PRECISION) if isinstance(value, float) else value


def geometry_geojson(geom) -> dict | None:
    """The geometry as a GeoJSON object (WGS 84), its coordinates rounded to GEOJSON_PRECISION decimals."""
    if geom is None:
        return None
    data = json.loads(geom.json)
    if "geometries" in data:
        data["geometries"] = [{**part, "coordinates": _rounded(part.get("coordinates"))} for part in data["geometries"]]
    else:
        data["coordinates"] = _rounded(data.get("coordinates"))
    return data


def feature(geom, properties: dict, id=None) -> dict:
    """A GeoJSON Feature of a GEOS geometry (rounded as above) and its properties; `id` only when given."""
    doc = {"type": "Feature", "geometry": geometry_geojson(geom), "properties": properties}
    if id is not None:
        doc["id"] = id
    return doc


def feature_collection(features) -> dict:
    """A FeatureCollection of features made by `feature` (lists of the API add the page's members to it)."""
    return {"type": "FeatureCollection", "features": list(features)}


class GeoJSONField(GeometryField):
    """djangorestframework-gis's geometry field at the API's one precision."""

    def __init__(self, **kwargs):
        kwargs.setdefault("precision", GEOJSON_PRECISION)
        super().__init__(**kwargs)
