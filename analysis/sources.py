"""Inputs of an analysis: layers from the registry, read as the person running the analysis.

A source is read through the layer's own `queryset_factory(viewer)`, so a private map
never enters an analysis run by someone who may not see it, and hidden or pending content
stays out. Only the geometry (and, for comparisons, the local day of the layer's date) is taken: no
attribute of a record (reporter, photos, text) can reach an output.

The records are staged in a temporary table in EPSG:5186 (Korea 2000 / Central Belt
2010, metres), so that the methods can do their work in PostGIS with metric distances.
"""
import hashlib
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import DateTimeField, F
from django.utils.translation import gettext

from layers.access import layer_visible
from layers.registry import Layer, Viewer, registry

METRIC_SRID = 5186
OPEN_DATA_PREFIXES = ("dataset-",)
OPEN_DATA_LAYERS = ("districts", "dongs")


class SourceError(ValueError):
    """A source layer that cannot be analysed; the message is in the reader's language and safe to show."""


@dataclass
class Source:
    layer: Layer
    table: str  # temporary table: id, g (5186 point), p (4326 point), day (local date or null)
    count: int
    digest: str

    @property
    def is_open_data(self) -> bool:
        return source_is_open_data(self.layer.name)


def source_is_open_data(name: str) -> bool:
    """Official open data (facilities published one by one by the city) holds no personal data.

    Everything else (reports, citizens' map features, proposals, unknown layers) is treated
    as contributed by people, and its aggregates are protected by k-anonymity.
    """
    return name in OPEN_DATA_LAYERS or name.startswith(OPEN_DATA_PREFIXES)


def k_anonymity() -> int:
    return max(1, int(getattr(settings, "ANALYSIS_K_ANONYMITY", 5)))


def sources_public(names) -> bool:
    """True when the public may see every one of these layers now."""
    from django.contrib.auth.models import AnonymousUser

    public = Viewer(user=AnonymousUser())
    for name in names:
        if layer_visible(name, public) is None:
            return False
    return True


def sources_owned_by(names, user) -> bool:
    """True when `user` owns one of these layers (a layer says so with `meta["owner_id"]`)."""
    if user is None or not user.is_authenticated:
        return False
    for name in names:
        layer = registry.get(str(name))
        if layer is not None and layer.meta.get("owner_id") == user.pk:
            return True
    return False


def source_record_count(layer: Layer, viewer: Viewer) -> int:
    return layer.get_queryset(viewer).order_by().count()


def source_layer(name: str, *, viewer: Viewer, need_time: bool = False) -> Layer:
    """The registry's layer `name` if this viewer may analyse it, else a SourceError."""
    layer = layer_visible(name, viewer)
    if layer is None:
        raise SourceError(gettext("Unknown layer %(name)r") % {"name": name})
    if layer.kind != "vector" or layer.queryset_factory is None:
        raise SourceError(gettext("Layer %(name)r has no features to analyse") % {"name": name})
    if name.startswith("analysis-"):
        raise SourceError(gettext("An analysis output cannot be the source of another analysis"))
    if need_time and not layer.datetime_field:
        raise SourceError(gettext("Layer %(name)r has no date to compare periods by") % {"name": name})
    return layer


def source_stage(layer: Layer, *, viewer: Viewer, table: str, with_time: bool = False) -> Source:
    """Copy the viewer's view of a layer (geometry, and date when asked) into a temporary table.

    Lines and polygons enter as a point on their surface. The table lives in this database
    session until `tables_drop` (temporary tables are never visible to other sessions).
    """
    queryset = layer.get_queryset(viewer).order_by()
    columns = {"_ag": F(layer.geom_field)}
    if with_time:
        columns["_at"] = F(layer.datetime_field)
    queryset = queryset.annotate(**columns).values(*columns)
    day_sql = "NULL::date"
    if with_time:
        # only the local day is used: a date stays a date, a timestamp becomes the day in Seoul
        is_datetime = isinstance(queryset.query.annotations["_at"].output_field, DateTimeField)
        day_sql = f"(_at AT TIME ZONE '{settings.TIME_ZONE}')::date" if is_datetime else "_at::date"
    inner, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(
            f"""
            CREATE TEMP TABLE {table} AS
            SELECT row_number() OVER (ORDER BY ST_AsEWKB(p), day) AS id, ST_Transform(p, {METRIC_SRID}) AS g, p, day
            FROM (
                SELECT ST_PointOnSurface(ST_Force2D(_ag::geometry)) AS p, {day_sql} AS day
                FROM ({inner}) AS src
                WHERE _ag IS NOT NULL AND NOT ST_IsEmpty(_ag::geometry)
            ) AS points
            """,
            params,
        )
        cursor.execute(f"CREATE INDEX ON {table} USING gist (g)")
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(
            f"SELECT count(*), coalesce(md5(string_agg(encode(ST_AsEWKB(p), 'hex') || coalesce(day::text, ''), ',' "
            f"ORDER BY id)), '') FROM {table}"
        )
        count, digest = cursor.fetchone()
    return Source(layer=layer, table=table, count=count, digest=digest)


def fingerprint(*, method: str, parameters: dict, sources: list[Source], version: int) -> str:
    """Same method, parameters, k and input records: same fingerprint (and the same outputs)."""
    payload = {
        "method": method,
        "version": version,
        "parameters": parameters,
        "k": k_anonymity(),
        "sources": [[s.layer.name, s.count, s.digest] for s in sources],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=True).encode()).hexdigest()


def tables_drop(*tables: str) -> None:
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
