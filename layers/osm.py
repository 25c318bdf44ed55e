"""Reading an OpenStreetMap extract (`.osm.pbf` or `.osm` XML) for the city's base map, through GDAL's OSM driver
(django.contrib.gis.gdal): no osmium or osm2pgsql to install, the GDAL the platform already uses reads both.

The driver gives five layers: `points` (tagged nodes), `lines` (ways that are not areas), `multilinestrings`
and `multipolygons` (closed ways with area tags, and multipolygon relations) and `other_relations`. A few
tags are fields of their own (`name`, `highway`, `building`, …); the rest come in `other_tags`, an hstore
literal (`"name:ko"=>"역삼역","railway"=>"station"`). Each feature is classed as the Protomaps basemap schema
names its layers (https://docs.protomaps.com/basemaps/layers), which the web app's base style draws.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.contrib.gis.gdal import DataSource
from django.contrib.gis.gdal.feature import Feature
from django.contrib.gis.geos import GEOSGeometry

# layer of the driver → (kind, id field, OSM type)
DRIVER_LAYERS = {
    "points": ("point", "osm_id", "node"),
    "lines": ("line", "osm_id", "way"),
    "multilinestrings": ("line", "osm_id", "relation"),
    "multipolygons": ("area", None, None),  # osm_id (a relation) or osm_way_id (a closed way)
}
HSTORE_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')
# first match wins: the key (and, where it matters, its values) that puts a feature in a Protomaps layer
CLASSES = [
    ("boundaries", lambda t: t.get("boundary") == "administrative"),
    ("places", lambda t: "place" in t),
    ("water", lambda t: "waterway" in t or t.get("natural") in ("water", "bay", "strait") or t.get("landuse") == "reservoir"),
    ("transit", lambda t: t.get("railway") in ("rail", "subway", "light_rail", "monorail", "tram", "narrow_gauge")),
    ("roads", lambda t: "highway" in t and t.get("highway") not in ("bus_stop",)),
    ("buildings", lambda t: "building" in t),
    ("pois", lambda t: any(k in t for k in ("amenity", "shop", "tourism", "public_transport", "railway", "historic",
                                             "leisure"))),
    ("landuse", lambda t: any(k in t for k in ("landuse", "natural", "leisure"))),
]


@dataclass(frozen=True)
class OsmFeature:
    osm_id: int
    osm_type: str
    kind: str
    layer: str
    tags: dict
    geom: GEOSGeometry

    @property
    def schema(self) -> dict:
        kind, detail, min_zoom = schema_kind(self.layer, self.tags)
        return {"schema_kind": kind, "kind_detail": detail, "min_zoom": min_zoom}

    @property
    def names(self) -> dict:
        return {"name": self.tags.get("name", ""), "name_ko": self.tags.get("name:ko", ""),
                "name_en": self.tags.get("name:en", "")}


def hstore_tags(text: str | None) -> dict:
    """The tags of GDAL's `other_tags` field (an hstore literal) as a dict."""
    unescape = lambda s: s.replace('\\"', '"').replace("\\\\", "\\")  # noqa: E731
    return {unescape(k): unescape(v) for k, v in HSTORE_PAIR.findall(text or "")}


def layer_of(tags: dict) -> str:
    return next((name for name, matches in CLASSES if matches(tags)), "other")


ROAD_KINDS = {"highway": ("motorway", "motorway_link"),
              "major_road": ("trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link", "tertiary",
                             "tertiary_link"),
              "minor_road": ("residential", "unclassified", "service", "living_street", "road"),
              "path": ("footway", "path", "cycleway", "pedestrian", "steps", "track", "bridleway", "corridor")}
ROAD_MIN_ZOOM = {"highway": 6, "major_road": 9, "minor_road": 12, "path": 14, "other": 14, "rail": 11}
PLACE_KINDS = {"city": "locality", "town": "locality", "village": "locality", "suburb": "macrohood",
               "borough": "macrohood", "quarter": "neighbourhood", "neighbourhood": "neighbourhood"}
ADMIN_KINDS = {"2": "country", "4": "region", "6": "county", "8": "locality"}


def schema_kind(layer: str, tags: dict) -> tuple[str, str, int]:
    """(kind, kind_detail, min_zoom) as the Protomaps basemap schema says them, for the base style's filters."""
    if layer == "transit":  # the schema draws railways in `roads`, kind `rail`
        return "rail", tags.get("railway", ""), ROAD_MIN_ZOOM["rail"]
    if layer == "roads":
        highway = tags.get("highway", "")
        kind = next((k for k, values in ROAD_KINDS.items() if highway in values), "other")
        return kind, highway, ROAD_MIN_ZOOM[kind]
    if layer == "water":
        return tags.get("waterway") or "water", tags.get("water", ""), 9
    if layer == "buildings":
        return "building", tags.get("building", ""), 14
    if layer == "boundaries":
        level = str(tags.get("admin_level", ""))
        return ADMIN_KINDS.get(level, "county"), level, 8
    if layer == "places":
        kind = PLACE_KINDS.get(tags.get("place", ""), "neighbourhood")
        return kind, tags.get("place", ""), 10 if kind == "locality" else 12
    if layer == "pois":
        if tags.get("railway") == "station" or tags.get("public_transport") == "station":
            return "station", tags.get("railway", ""), 13
        key = next(k for k in ("amenity", "shop", "tourism", "leisure", "historic", "public_transport", "railway") if k in tags)
        return tags[key], key, 15
    if layer == "landuse":
        value = tags.get("leisure") or tags.get("landuse") or tags.get("natural") or ""
        return {"wood": "forest"}.get(value, value), value, 10
    return "other", "", 14


def _open_for(path: Path, layer_name: str) -> DataSource:
    """The extract opened to read one layer of the driver's: `SET interest_layers` (an SQL statement of the OSM
    driver) makes it skip the others, so a whole city's extract is read layer by layer without the other layers'
    features piling up in memory (which the driver refuses past a limit). One pass over the file per layer."""
    import ctypes

    source = DataSource(str(path))
    if source.driver.name != "OSM":
        raise ValueError(f"{path}: not an OpenStreetMap extract (GDAL reads it as {source.driver.name})")
    execute = _gdal("GDALDatasetExecuteSQL", ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p,
                    ctypes.c_char_p)
    execute(source.ptr, f"SET interest_layers = {layer_name}".encode(), None, None)  # answers no result set
    return source


def _gdal(name: str, restype, *argtypes):
    """A function of the GDAL library Django loaded, prototyped here (a fresh pointer: Django's own are untouched)."""
    import ctypes

    from django.contrib.gis.gdal.libgdal import lgdal

    function = ctypes.CFUNCTYPE(restype, *argtypes)((name, lgdal))
    return function


def _layer_features(source: DataSource, layer_name: str) -> Iterator[Feature]:
    """The layer's features to its end. The OSM driver cannot count them (-1), and Django's Layer iterates over
    a count, so this reads until GDAL answers no feature, and fails if GDAL said why (an error, not the end)."""
    import ctypes

    layer = source[layer_name]
    next_feature = _gdal("OGR_L_GetNextFeature", ctypes.c_void_p, ctypes.c_void_p)
    _gdal("CPLErrorReset", None)()
    _gdal("OGR_L_ResetReading", None, ctypes.c_void_p)(layer.ptr)
    while pointer := next_feature(layer.ptr):
        yield Feature(ctypes.c_void_p(pointer), layer)  # Django frees it with the Feature
    if _gdal("CPLGetLastErrorType", ctypes.c_int)() >= 3:  # CE_Failure, CE_Fatal
        message = _gdal("CPLGetLastErrorMsg", ctypes.c_char_p)()
        raise ValueError(f"reading {layer_name}: {(message or b'').decode(errors='replace')}")


def osm_features(path: Path) -> Iterator[OsmFeature]:
    """Every tagged feature of the extract, with its geometry in WGS 84 (what OSM stores)."""
    for layer_name, (kind, id_field, osm_type) in DRIVER_LAYERS.items():
        source = _open_for(path, layer_name)
        fields = [f for f in source[layer_name].fields if f not in ("osm_id", "osm_way_id", "other_tags", "z_order")]
        for feature in _layer_features(source, layer_name):
            tags = hstore_tags(feature.get("other_tags"))
            tags.update({f: feature.get(f) for f in fields if feature.get(f) not in (None, "")})
            if id_field:
                osm_id = feature.get(id_field)
            else:  # an area: a closed way, or a multipolygon relation
                way = feature.get("osm_way_id")
                osm_type, osm_id = ("way", way) if way not in (None, "") else ("relation", feature.get("osm_id"))
            geom = feature.geom.geos
            geom.srid = 4326
            yield OsmFeature(osm_id=int(osm_id), osm_type=osm_type, kind=kind, layer=layer_of(tags), tags=tags,
                             geom=geom)
