"""OGC API – Features – Part 1: Core (GeoJSON, OpenAPI 3.0) over the layer registry, at /ogc/.

Anonymous clients see public vector layers only; a signed-in user (session or
`Authorization: Token …`) sees what the registry lets them see. Errors use the standard's
exception document `{"code", "description"}`.

Paging at Seoul's size (9 million reports a year): a page is read as `limit + 1` rows (the extra one says whether a
`next` page exists); the `next` link continues after the page's last id (`after=<id>`: an index range, as cheap on
page 100,000 as on page 1), never by a growing offset; `offset` stays for clients that set it, up to MAX_OFFSET;
`numberMatched` is counted up to COUNT_CAP rows and left out above that (the standard makes it optional), so no
request counts millions of rows. The offset parser and the bounded count are the /api/ lists' own
(geoplatform/pagination.py).
"""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlencode

import yaml
from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import Polygon
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from geoplatform.geojson import GEOJSON_PRECISION
from geoplatform.ids import id_from
from geoplatform.instants import instant_parse
from geoplatform.pagination import MAX_OFFSET, count_capped, offset_parse

from .access import layer_visible, request_viewer
from .query import bbox_parse, request_secret
from .registry import Layer, Viewer, registry
from .styles import layer_bounds
from django.utils.translation import gettext_lazy as _

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GREGORIAN = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
JSON = "application/json"
GEOJSON = "application/geo+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
DEFAULT_LIMIT = 10
MAX_LIMIT = 10_000
ITEM_PARAMS = {"limit", "offset", "after", "bbox", "bbox-crs", "datetime", "f", "key"}
_encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


class OGCError(Exception):
    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


def _respond(doc, content_type=JSON, status=200) -> HttpResponse:
    response = HttpResponse(_encoder.encode(doc), content_type=content_type, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def ogc_view(view):
    """GET only; OGC exception documents for errors (400, 404, 405, 406)."""

    @require_GET
    def wrapper(request, *args, **kwargs):
        try:
            fmt = request.GET.get("f", "json")
            if fmt not in ("json", "geojson"):
                raise OGCError(406, "NotAcceptable", (_("Only f=json is offered, not %(value1)s.") % {"value1": repr(fmt[:20])}))
            return view(request, *args, **kwargs)
        except OGCError as error:
            return _respond({"code": error.code, "description": error.description}, status=error.status)
        except Http404:
            return _respond({"code": "NotFound", "description": _("Not found.")}, status=404)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _url(request, name, *args, **query) -> str:
    url = request.build_absolute_uri(reverse(name, args=args))
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


# --- which layers ------------------------------------------------------------------------
def _collection(layer: Layer | None, viewer: Viewer) -> bool:
    """Only vector layers with features are collections; anonymous readers see only public ones."""
    return (layer is not None and layer.kind == "vector" and layer.queryset_factory is not None
            and (layer.public or getattr(viewer.user, "is_authenticated", False)))


def _collection_layer(name: str, viewer: Viewer) -> Layer:
    layer = layer_visible(name, viewer, kind="vector")
    if not _collection(layer, viewer):
        raise OGCError(404, "NotFound", (_("No collection %(value1)s.") % {"value1": repr(name[:60])}))
    return layer


def _collection_doc(request, layer: Layer) -> dict:
    key = request_secret(request)
    doc = {
        "id": layer.name,
        "title": layer.title("en" if getattr(request, "LANGUAGE_CODE", "ko").startswith("en") else "ko"),
        "description": layer.description_en or layer.description_ko or layer.title_en,
        "links": [
            {"href": _url(request, "ogc-collection", layer.name, key=key), "rel": "self", "type": JSON,
             "title": "This collection"},
            {"href": _url(request, "ogc-items", layer.name, key=key), "rel": "items", "type": GEOJSON,
             "title": "Features"},
            {"href": _url(request, "tilejson", layer.name, key=key), "rel": "related",
             "type": JSON, "title": "TileJSON (vector tiles)"},
        ],
        "extent": {"spatial": {"bbox": [layer_bounds(layer)], "crs": CRS84}},
        "itemType": "feature",
        "crs": [CRS84],
    }
    if layer.datetime_field:
        doc["extent"]["temporal"] = {"interval": [[None, None]], "trs": GREGORIAN}
    if layer.attribution:
        doc["attribution"] = layer.attribution
    return doc


# --- resources -----------------------------------------------------------------------------
@ogc_view
def landing(request):
    return _respond({
        "title": "geoplatform – OGC API Features",
        "description": "Layers of the Seoul geoplatform: districts, open data, citizens' maps, reports and more.",
        "links": [
            {"href": _url(request, "ogc-landing"), "rel": "self", "type": JSON, "title": "This document"},
            {"href": _url(request, "ogc-api"), "rel": "service-desc", "type": OPENAPI,
             "title": "The API definition"},
            {"href": _url(request, "ogc-conformance"), "rel": "conformance", "type": JSON,
             "title": "Conformance classes"},
            {"href": _url(request, "ogc-collections"), "rel": "data", "type": JSON, "title": "Collections"},
        ],
    })


@ogc_view
def conformance(request):
    return _respond({"conformsTo": CONFORMANCE})


@ogc_view
def collections(request):
    viewer = request_viewer(request)
    layers = sorted((layer for layer in registry.listed(viewer) if _collection(layer, viewer)), key=lambda l: l.name)
    return _respond({
        "links": [{"href": _url(request, "ogc-collections"), "rel": "self", "type": JSON, "title": "Collections"}],
        "collections": [_collection_doc(request, layer) for layer in layers],
    })


@ogc_view
def collection(request, layer):
    return _respond(_collection_doc(request, _collection_layer(layer, request_viewer(request))))


def _parse_limit(value: str | None) -> int:
    if value in (None, ""):
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        raise OGCError(400, "InvalidParameterValue", _("limit must be an integer."))
    if not 1 <= limit <= MAX_LIMIT:
        raise OGCError(400, "InvalidParameterValue",
                       (_("limit must be between 1 and %(MAX_LIMIT)s.") % {"MAX_LIMIT": MAX_LIMIT}))
    return limit


def _parse_offset(value: str | None) -> int:
    offset = offset_parse(value)  # further than MAX_OFFSET: the `next` links (after=<id>)
    if offset is None:
        raise OGCError(400, "InvalidParameterValue",
                       _("offset must be a whole number up to %(MAX_OFFSET)s; to read further, follow the next "
                         "links.") % {"MAX_OFFSET": MAX_OFFSET})
    return offset


def _feature_id(qs, id_name: str, value: str):
    """The layer's id in `value` as its column holds it, or None when no feature can have it (not a whole number
    or beyond a bigint for a numeric id; longer than the column for a text one)."""
    field = qs.model._meta.pk if id_name == "pk" else qs.model._meta.get_field(id_name)
    if field.get_internal_type() in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField",
                                     "SmallAutoField", "SmallIntegerField", "PositiveIntegerField"):
        return id_from(value) if value.isdigit() else None
    return value if value and len(value) <= (field.max_length or 200) else None


def _parse_after(qs, id_name: str, value: str | None):
    if value is None:
        return None
    after = _feature_id(qs, id_name, value)
    if after is None:
        raise OGCError(400, "InvalidParameterValue", _("after must be the id of a feature of this collection."))
    return after


def _matched(qs, id_name: str) -> int | None:
    """How many features match, when at most COUNT_CAP do (numberMatched; above it the member is left out)."""
    return count_capped(qs.values(id_name))


def _parse_bbox(value: str | None) -> Polygon | None:
    try:
        return bbox_parse(value)
    except ValidationError as exc:
        raise OGCError(400, "InvalidParameterValue", exc.messages[0])


def _parse_instant(text: str, end: bool) -> dt.datetime | None:
    """None for an open end ('..' or empty); otherwise geoplatform.instants' one rule (a 400 outside its range)."""
    if text in ("", ".."):
        return None
    try:
        return instant_parse(text, name="datetime", end=end)
    except ValidationError as exc:
        raise OGCError(400, "InvalidParameterValue", exc.messages[0])


def _filter_datetime(qs, layer: Layer, value: str | None):
    if not value:
        return qs
    if "/" in value:
        start_text, end_text = value.split("/", 1)
        start, end = _parse_instant(start_text, False), _parse_instant(end_text, True)
    else:
        start, end = _parse_instant(value, False), _parse_instant(value, True)
    if start is None and end is None and "/" not in value:
        raise OGCError(400, "InvalidParameterValue", _("datetime is empty."))
    if not layer.datetime_field:
        return qs  # a well-formed datetime on a collection without time selects everything
    if start is not None:
        qs = qs.filter(**{f"{layer.datetime_field}__gte": start})
    if end is not None:
        qs = qs.filter(**{f"{layer.datetime_field}__lte": end})
    return qs


def _id_name(layer: Layer) -> str:
    return "pk" if layer.id_field in ("pk", "id") else layer.id_field


def _features(layer: Layer, qs) -> list[dict]:
    id_name = _id_name(layer)
    fields = [f for f in layer.fields if f != id_name]
    rows = qs.annotate(_ogc_geom=AsGeoJSON(layer.geom_field, precision=GEOJSON_PRECISION)).values_list(id_name, *fields, "_ogc_geom")
    return [{
        "type": "Feature",
        "id": row[0],
        "geometry": json.loads(row[-1]) if row[-1] else None,
        "properties": dict(zip(fields, row[1:-1])),
    } for row in rows]


@ogc_view
def items(request, layer):
    viewer = request_viewer(request)
    layer_obj = _collection_layer(layer, viewer)
    unknown = sorted(set(request.GET) - ITEM_PARAMS)
    if unknown:
        raise OGCError(400, "InvalidParameterValue",
                       (_("Unknown query parameter(s): %(value1)s.") % {"value1": ', '.join(unknown)[:100]}))
    if request.GET.get("bbox-crs", CRS84) != CRS84:
        raise OGCError(400, "InvalidParameterValue", (_("bbox-crs must be %(CRS84)s.") % {"CRS84": CRS84}))
    limit, offset = _parse_limit(request.GET.get("limit")), _parse_offset(request.GET.get("offset"))
    qs = layer_obj.get_queryset(viewer)
    bbox = _parse_bbox(request.GET.get("bbox"))
    if bbox is not None:
        bbox.srid = 4326
        qs = qs.filter(**{f"{layer_obj.geom_field}__intersects": bbox})
    id_name = _id_name(layer_obj)
    qs = _filter_datetime(qs, layer_obj, request.GET.get("datetime"))
    matched = _matched(qs, id_name)
    after = _parse_after(qs, id_name, request.GET.get("after"))
    if after is not None:
        qs = qs.filter(**{f"{id_name}__gt": after})
    features = _features(layer_obj, qs.order_by(id_name)[offset:offset + limit + 1])
    more, features = len(features) > limit, features[:limit]
    base_query = {k: request.GET[k] for k in ("bbox", "datetime", "key") if request.GET.get(k)}
    links = [
        {"href": _url(request, "ogc-items", layer, **base_query, limit=limit, offset=offset or None,
                      after=request.GET.get("after")),
         "rel": "self", "type": GEOJSON, "title": "This page"},
        {"href": _url(request, "ogc-collection", layer, key=base_query.get("key")), "rel": "collection",
         "type": JSON, "title": "The collection"},
    ]
    if more:
        links.append({"href": _url(request, "ogc-items", layer, **base_query, limit=limit,
                                   after=str(features[-1]["id"])),
                      "rel": "next", "type": GEOJSON, "title": "Next page"})
    if offset > 0 and after is None:
        links.append({"href": _url(request, "ogc-items", layer, **base_query, limit=limit,
                                   offset=max(0, offset - limit) or None),
                      "rel": "prev", "type": GEOJSON, "title": "Previous page"})
    return _respond({
        "type": "FeatureCollection",
        "features": features,
        "links": links,
        "timeStamp": timezone.now().astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z"),
        **({"numberMatched": matched} if matched is not None else {}),
        "numberReturned": len(features),
    }, content_type=GEOJSON)


@ogc_view
def item(request, layer, feature_id):
    viewer = request_viewer(request)
    layer_obj = _collection_layer(layer, viewer)
    qs = layer_obj.get_queryset(viewer)
    id_name = _id_name(layer_obj)
    wanted = _feature_id(qs, id_name, feature_id)
    if wanted is None:
        raise OGCError(404, "NotFound", _("No such feature."))
    found = _features(layer_obj, qs.filter(**{id_name: wanted})[:1])
    if not found:
        raise OGCError(404, "NotFound", _("No such feature."))
    feature = found[0]
    feature["links"] = [
        {"href": _url(request, "ogc-item", layer, str(feature_id), key=request_secret(request)), "rel": "self",
         "type": GEOJSON, "title": "This feature"},
        {"href": _url(request, "ogc-collection", layer, key=request_secret(request)), "rel": "collection", "type": JSON,
         "title": "The collection"},
    ]
    return _respond(feature, content_type=GEOJSON)


# --- the API definition ------------------------------------------------------------------
OGC_DIR = Path(settings.BASE_DIR) / "data" / "ogc" / "features-1.0.1"


@lru_cache(maxsize=1)
def _components() -> dict:
    with open(OGC_DIR / "ogcapi-features-1.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)["components"]


def _operation(op_id: str, summary: str, response: str, parameters=()) -> dict:
    return {"get": {"operationId": op_id, "summary": summary, "parameters": list(parameters),
                    "responses": {"200": {"$ref": f"#/components/responses/{response}"},
                                  "400": {"$ref": "#/components/responses/InvalidParameter"},
                                  "404": {"$ref": "#/components/responses/NotFound"},
                                  "500": {"$ref": "#/components/responses/ServerError"}}}}


@ogc_view
def api_definition(request):
    components = json.loads(json.dumps(_components()))
    components["parameters"]["offset"] = {
        "name": "offset", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Number of features to skip (up to 100,000; to read further, follow the `next` links).",
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET, "default": 0}}
    components["parameters"]["after"] = {
        "name": "after", "in": "query", "required": False, "style": "form", "explode": False,
        "description": "Only features whose id comes after this one (what the `next` links use).",
        "schema": {"type": "string"}}
    components["parameters"]["f"] = {
        "name": "f", "in": "query", "required": False, "schema": {"type": "string", "enum": ["json", "geojson"]}}
    components["parameters"]["key"] = {
        "name": "key", "in": "query", "required": False, "description": "Secret link key of an unlisted map.",
        "schema": {"type": "string"}}
    components["parameters"]["limit"]["schema"]["maximum"] = MAX_LIMIT
    components["parameters"]["limit"]["schema"]["default"] = DEFAULT_LIMIT

    def ref(name):
        return {"$ref": f"#/components/parameters/{name}"}

    doc = {
        "openapi": "3.0.2",
        "info": {"title": "geoplatform – OGC API Features", "version": "1.0.0",
                 "description": "OGC API – Features – Part 1: Core over the geoplatform layers.",
                 "license": {"name": "AGPL-3.0-or-later"}},
        "servers": [{"url": request.build_absolute_uri(reverse("ogc-landing")).rstrip("/")}],
        "paths": {
            "/": _operation("getLandingPage", "Landing page", "LandingPage", [ref("f")]),
            "/conformance": _operation("getConformanceDeclaration", "Conformance classes",
                                       "ConformanceDeclaration", [ref("f")]),
            "/collections": _operation("getCollections", "Collections", "Collections", [ref("f")]),
            "/collections/{collectionId}": _operation("describeCollection", "A collection", "Collection",
                                                      [ref("collectionId"), ref("f"), ref("key")]),
            "/collections/{collectionId}/items": _operation(
                "getFeatures", "Features of a collection", "Features",
                [ref("collectionId"), ref("limit"), ref("offset"), ref("after"), ref("bbox"), ref("datetime"), ref("f"),
                 ref("key")]),
            "/collections/{collectionId}/items/{featureId}": _operation(
                "getFeature", "One feature", "Feature", [ref("collectionId"), ref("featureId"), ref("f"),
                                                         ref("key")]),
        },
        "components": components,
    }
    return _respond(doc, content_type=OPENAPI)
