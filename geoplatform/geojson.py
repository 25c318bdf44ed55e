"""The API's one GeoJSON output: a geometry is a GeoJSON object whose coordinates are rounded to
GEOJSON_PRECISION decimals (6: about 0.1 m in Seoul, finer than any phone's GPS), wherever it is written.

- Python: `geometry_geojson(geom)`, and `feature(...)` / `feature_collection(...)` for a whole document;
- DRF serializers (djangorestframework-gis): `GeoJSONField()` as the geometry field of a `GeoFeatureModelSerializer`;
- SQL (OGC API items, exports): `AsGeoJSON(field, precision=GEOJSON_PRECISION)`;
- the OpenAPI schema: `GEOMETRY_SCHEMA` (any of the seven types) and `POINT_SCHEMA` for geometries written by hand;
  a `GeoFeatureModelSerializer` on a geometry of any type has all seven (drf-spectacular names three), and its
  paged lists have the array of Features under `features`.

A Feature is `{"type": "Feature", "id": …, "geometry": …, "properties": {…}}`.
"""
import json

from django.contrib.gis.db.models import GeometryField as AnyGeometryField
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.contrib.rest_framework_gis import (
    GeoFeatureModelListSerializerExtension, GeoFeatureModelSerializerExtension, build_geo_container_schema,
    build_linestring_schema, build_point_schema, build_polygon_schema)
from drf_spectacular.plumbing import build_array_type, build_object_type
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


# --- the OpenAPI schema -------------------------------------------------------------------------------
_SIMPLE = {"Point": build_point_schema(), "LineString": build_linestring_schema(), "Polygon": build_polygon_schema()}
_PARTS = {**_SIMPLE, **{f"Multi{name}": build_array_type(coordinates) for name, coordinates in _SIMPLE.items()}}
POINT_SCHEMA = build_geo_container_schema("Point", _SIMPLE["Point"])
GEOMETRY_SCHEMA = {"oneOf": [
    *(build_geo_container_schema(name, coordinates) for name, coordinates in _PARTS.items()),
    build_object_type(properties={"type": {"type": "string", "enum": ["GeometryCollection"]}, "geometries": (
        build_array_type({"oneOf": [build_geo_container_schema(n, c) for n, c in _PARTS.items()]}))}),
]}


class FeatureSchema(GeoFeatureModelSerializerExtension):
    """A djangorestframework-gis Feature in the OpenAPI schema, as drf-spectacular describes it, except that a
    geometry field of any type (a city project's points, lines or areas in several parts) may be any of the seven
    GeoJSON types: drf-spectacular names only Point, LineString and Polygon."""

    priority = 1  # before drf-spectacular's own extension

    def map_geo_feature_model_serializer(self, serializer, base_schema):
        schema = super().map_geo_feature_model_serializer(serializer, base_schema)
        try:
            field = serializer.Meta.model._meta.get_field(serializer.Meta.geo_field)
        except FieldDoesNotExist:
            return schema
        if type(field) is AnyGeometryField:
            schema["properties"]["geometry"] = GEOMETRY_SCHEMA
        return schema


class FeatureListSchema(GeoFeatureModelListSerializerExtension):
    """A list of djangorestframework-gis Features in the OpenAPI schema: the FeatureCollection written out, not as a
    component of its own, so that `pagination.FeatureCollectionPagination` describes the page's `features` as the
    array of Features it is (with the component, the page seemed to hold a FeatureCollection under `features`)."""

    priority = 1  # before drf-spectacular's own extension

    def map_serializer(self, auto_schema, direction):
        super().map_serializer(auto_schema, direction)  # its names for the "Feature"/"FeatureCollection" enums
        feature = auto_schema.resolve_serializer(self.target.child, direction)
        return build_object_type(properties={"type": {"type": "string", "enum": ["FeatureCollection"]},
                                             "features": build_array_type(feature.ref)})
