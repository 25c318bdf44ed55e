"""Inputs of an analysis: layers from the registry, read as the person running the analysis.

A source is read through the layer's own `queryset_factory(viewer)`, so a private map
never enters an analysis run by someone who may not see it, and hidden or pending content
stays out. Only the geometry (and, for comparisons, the local day of the layer's date) is taken: no
attribute of a record (reporter, photos, text) can reach an output.

The records are read as one query (`source_open`) and projected to EPSG:5186 (Korea 2000 / Central
Belt 2010, metres) as they are read, so that the methods work in PostGIS with metric distances;
counting methods read them once (`counting.py`), nearest-neighbour methods copy them into an
indexed temporary table (`source_stage`).
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
STAGED_TABLE = "analysis_src"
OPEN_DATA_PREFIXES = ("dataset-",)
OPEN_DATA_LAYERS = ("districts", "dongs")


class SourceError(ValueError):
    """A source layer that cannot be analysed; the message is in the reader's language and safe to show."""


# a record's 64-bit hash: its point (4326, as EWKB) and its day; summed into the input's digest
RECORD_HASH = "hashtextextended(encode(ST_AsEWKB(p), 'hex') || coalesce(day::text, ''), 0)"


@dataclass
class Source:
    """A layer's records as the analyst may see them: `sql` (with `params`) yields p (4326 point) and day."""

    layer: Layer
    sql: str
    params: tuple = ()
    count: int | None = None  # set by the pass that reads the records (or by `source_stage`)
    digest: str = ""
    table: str = ""  # temporary table after `source_stage`: g (5186 point, GiST), p, day

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


def source_owned_by(name: str, user) -> bool:
    """Whether `user` answers for the layer `name` and so sees, and may veto, every analysis of it.

    A layer of one person (a citizen's map says so with `meta["owner_id"]`) is that person's. Every other
    layer an analysis can read (reports, open datasets, districts and dongs, indicators, projects,
    meetings, proposals) is the city's, and city staff answer for it. A layer that is gone has no owner.
    """
    from accounts.permissions import is_city_staff

    if user is None or not user.is_authenticated or not user.is_active:
        return False
    layer = registry.get(str(name))
    if layer is None:
        return False
    owner_id = layer.meta.get("owner_id")
    return user.pk == owner_id if owner_id is not None else is_city_staff(user)


def sources_owned_by(names, user) -> bool:
    """True when `user` answers for one of these layers (`source_owned_by`)."""
    return any(source_owned_by(name, user) for name in names)


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


def source_open(layer: Layer, *, viewer: Viewer, with_time: bool = False) -> Source:
    """The viewer's view of a layer as one SQL query of `p` (4326 point) and `day` (local date or null).

    Nothing is copied: the methods read the query once (`counting.records_count`), or stage it when they
    need an index on it (`source_stage`). Lines and polygons enter as a point on their surface.
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
    sql = f"""
        SELECT ST_PointOnSurface(ST_Force2D(_ag::geometry)) AS p, {day_sql} AS day
        FROM ({inner}) AS src
        WHERE _ag IS NOT NULL AND NOT ST_IsEmpty(_ag::geometry)
    """
    return Source(layer=layer, sql=sql, params=tuple(params))


def source_stage(source: Source, *, table: str) -> Source:
    """Copy the source into a temporary table (g: 5186 point with a GiST index, p, day), for methods that
    search it by distance; sets its count and digest. The table lives in this database session until
    `tables_drop` (temporary tables are never visible to other sessions)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMP TABLE {table} AS SELECT ST_Transform(p, {METRIC_SRID}) AS g, p, day "
                       f"FROM ({source.sql}) AS records", source.params)
        cursor.execute(f"CREATE INDEX ON {table} USING gist (g)")
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(f"SELECT count(*), sum({RECORD_HASH})::text FROM {table}")
        count, hashed = cursor.fetchone()
    source.table, source.count, source.digest = table, count, digest_of(count, int(hashed or 0))
    return source


def digest_of(count: int, hash_sum: int) -> str:
    """The input's digest: its record count and the sum of its records' 64-bit hashes (`RECORD_HASH`).

    A sum does not depend on the order the records are read in, so it needs no sort and no copy, and
    it is taken in the same pass that counts them; a record moved, added or removed changes it.
    """
    return hashlib.md5(f"{count}:{hash_sum}".encode()).hexdigest()


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
