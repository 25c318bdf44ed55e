"""Reading features from GeoJSON, KML, GPX, CSV, zipped Shapefile or GeoPackage files: pure readers.

Nothing here touches the database or a model: a reader turns a file into `ParsedFeature`s (properties
and a checked WGS 84 geometry, or the reason it was refused). Writing them into a map is the import
job, `maps.services.map_import`.

Safety rules:
- the upload is written to a private (mode 700) temporary directory under a name we choose;
- the content must be what the name says (JSON for .geojson, XML with <kml>/<gpx>, a zip holding a
  shapefile, an SQLite GeoPackage, text for CSV), else the whole file is refused;
- zips are checked before extraction: member count, total uncompressed size (counted while
  reading, not trusted from headers), compression ratio, no paths or links; only shapefile parts
  are written, flat, under our own names;
- XML with a DOCTYPE or entities is refused (no entity expansion);
- coordinate systems come from the file as an EPSG code and only that integer reaches GDAL/PROJ;
  CSV has none, so the request may name one as an integer;
- coordinates are range-checked in their own coordinate system before any transformation
  (`geoplatform.geometry.geometry_to_4326`): a point at 1e300 never reaches PROJ.
Each feature is checked with the shared geometry policy; rejected ones are reported with the reason.
"""
import json
import math
import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.gis.gdal import DataSource, GDALException, OGRGeometry
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from geoplatform.geometry import ALLOWED_TYPES, crs_is_usable, geometry_from_geojson, geometry_to_4326
from geoplatform.tables import cell_number, csv_rows, csv_text, header_key

IMPORT_MAX_BYTES = getattr(settings, "MAPS_IMPORT_MAX_BYTES", 25 * 1024 * 1024)
ZIP_MAX_MEMBERS = 20
ZIP_MAX_TOTAL = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
SHAPEFILE_PARTS = {".shp", ".shx", ".dbf", ".prj", ".cpg"}
FORMATS = {
    "geojson": (".geojson", ".json"),
    "kml": (".kml",),
    "gpx": (".gpx",),
    "csv": (".csv", ".txt"),
    "shp": (".zip",),
    "gpkg": (".gpkg",),
}
NAME_KEYS = ("name", "title", "이름", "명칭", "건물명", "도서관명", "역사명", "장소명")
DESCRIPTION_KEYS = ("description", "desc", "설명")
LON_KEYS = {header_key(k) for k in ("lon", "lng", "long", "longitude", "x", "경도", "경도(x)", "x좌표")}
LAT_KEYS = {header_key(k) for k in ("lat", "latitude", "y", "위도", "위도(y)", "y좌표")}
KML_HOUSEKEEPING = {"altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon", "begin", "end",
                    "timestamp", "snippet"}
WKT_KEYS = {header_key(k) for k in ("wkt", "geometry", "geom", "the_geom", "도형")}


WKT_RE = re.compile(r"^\s*(MULTI)?(POINT|LINESTRING|POLYGON)\s*(\(|EMPTY)", re.IGNORECASE)


def reader_fail(message: str, code: str = "invalid_file"):
    raise ValidationError(message, code=code)


@dataclass
class ParsedFeature:
    index: int
    properties: dict = field(default_factory=dict)
    geom: GEOSGeometry | None = None
    error: str = ""


@dataclass
class ImportSource:
    fmt: str
    path: Path
    directory: Path
    srid: int | None = None
    notes: list = field(default_factory=list)

    def cleanup(self):
        shutil.rmtree(self.directory, ignore_errors=True)


def _private_dir() -> Path:
    base = Path(getattr(settings, "MAPS_IMPORT_DIR", Path(tempfile.gettempdir()) / "geoplatform-imports"))
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    return Path(tempfile.mkdtemp(prefix="import-", dir=base))


def import_format(filename: str, declared: str = "") -> str:
    declared = (declared or "").lower().strip()
    if declared:
        if declared not in FORMATS:
            reader_fail(gettext("Unknown import format %(format)r; use one of %(formats)s.")
                        % {"format": declared[:20], "formats": ", ".join(FORMATS)})
        return declared
    suffix = Path(filename or "").suffix.lower()
    for fmt, suffixes in FORMATS.items():
        if suffix in suffixes:
            return fmt
    reader_fail(gettext("Unknown file type: send GeoJSON, KML, GPX, CSV, a zipped Shapefile or a GeoPackage."))


# --- receiving the file ------------------------------------------------------------------------------
def import_receive(*, upload, fmt: str, srid: int | None = None) -> ImportSource:
    """Copy the upload into a private directory and check that its content is what it claims to be."""
    if upload.size > IMPORT_MAX_BYTES:
        reader_fail(gettext("The file is larger than %(mb)d MB.") % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)},
                    "too_large")
    if srid is not None and not crs_is_usable(srid):
        reader_fail(gettext("Unknown EPSG code %(code)s.") % {"code": srid})
    directory = _private_dir()
    try:
        path = directory / f"upload.{'zip' if fmt == 'shp' else fmt}"
        with open(path, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
        with open(path, "rb") as fh:
            head = fh.read(4096)
        source = ImportSource(fmt=fmt, path=path, directory=directory, srid=srid)
        _sniff(source, head)
        if fmt == "shp":
            source.path = _unzip_shapefile(path, directory)
        return source
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise


def _sniff(source: ImportSource, head: bytes) -> None:
    fmt = source.fmt
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if fmt == "geojson" and not text_head.startswith(b"{"):
        reader_fail(gettext("The file is not GeoJSON (it does not start with a JSON object)."))
    if fmt in ("kml", "gpx"):
        root = b"<kml" if fmt == "kml" else b"<gpx"
        if not text_head.startswith(b"<") or root not in head:
            reader_fail(gettext("The file is not %(format)s (no <%(element)s> element).")
                        % {"format": fmt.upper(), "element": fmt})
        with open(source.path, "rb") as fh:
            content = fh.read()
        if b"<!DOCTYPE" in content.upper() or b"<!ENTITY" in content.upper():
            reader_fail(gettext("XML with DOCTYPE or entity declarations is not accepted."))
    if fmt == "shp" and not head.startswith(b"PK\x03\x04"):
        reader_fail(gettext("The file is not a zip archive; zip the .shp, .shx, .dbf and .prj together."))
    if fmt == "gpkg" and not head.startswith(b"SQLite format 3\x00"):
        reader_fail(gettext("The file is not a GeoPackage (not an SQLite database)."))
    if fmt == "csv" and (b"\x00" in head or head.startswith((b"PK\x03\x04", b"SQLite format", b"\x89PNG", b"\xff\xd8"))):
        reader_fail(gettext("The file is not a text CSV file."))


def _unzip_shapefile(path: Path, directory: Path) -> Path:
    """Extract shapefile parts flat into `directory/shp`, refusing bombs, paths and links."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        reader_fail(gettext("The zip archive is damaged."))
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > ZIP_MAX_MEMBERS:
            reader_fail(gettext("The zip holds %(n)d files; at most %(max)d are accepted.")
                        % {"n": len(members), "max": ZIP_MAX_MEMBERS})
        declared = sum(m.file_size for m in members)
        if declared > ZIP_MAX_TOTAL:
            reader_fail(gettext("The zip would unpack to more than 200 MB."))
        for m in members:
            name = m.filename
            if name.startswith(("/", "\\")) or ".." in Path(name).parts or ":" in name or "\\" in name:
                reader_fail(gettext("The zip contains an unsafe path: %(path)r.") % {"path": name[:80]})
            if stat.S_ISLNK(m.external_attr >> 16):
                reader_fail(gettext("The zip contains a symbolic link."))
            if m.compress_size and m.file_size / m.compress_size > ZIP_MAX_RATIO:
                reader_fail(gettext("The zip is compressed suspiciously well (a zip bomb?)."))
        stems = {}
        for m in members:
            p = Path(m.filename)
            if p.name.startswith(".") or "__MACOSX" in p.parts:
                continue
            if p.suffix.lower() in SHAPEFILE_PARTS:
                stems.setdefault(p.stem, {})[p.suffix.lower()] = m
        complete = {stem: parts for stem, parts in stems.items() if {".shp", ".shx", ".dbf"} <= parts.keys()}
        if len(complete) != 1:
            reader_fail(gettext("The zip must hold exactly one shapefile (.shp, .shx and .dbf with the same name)."))
        (parts,) = complete.values()
        out_dir = directory / "shp"
        out_dir.mkdir(mode=0o700)
        total = 0
        for suffix, member in parts.items():
            with archive.open(member) as src, open(out_dir / f"layer{suffix}", "wb") as dst:
                while chunk := src.read(1024 * 1024):
                    total += len(chunk)
                    if total > ZIP_MAX_TOTAL:
                        reader_fail(gettext("The zip would unpack to more than 200 MB."))
                    dst.write(chunk)
        return out_dir / "layer.shp"


# --- reading features ------------------------------------------------------------------------------
def _to_4326(geom: GEOSGeometry, srid: int | None) -> GEOSGeometry:
    if geom.hasz:
        ogr = geom.ogr
        ogr.set_3d(False)
        geom = ogr.geos
    if geom.geom_type not in ALLOWED_TYPES:
        raise ValidationError(gettext("%(type)s is not accepted; use points, lines or polygons.") % {"type": geom.geom_type})
    return geometry_to_4326(geom, srid or 4326)


def reader_reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return gettext("Geometry could not be read: %(reason)s.") % {"reason": str(exc)[:200]}


def _epsg_from_crs_member(crs) -> int | None:
    if not crs:
        return None
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    if re.search(r"CRS84$", name):
        return 4326
    match = re.search(r"EPSG:{1,2}(\d{4,6})$", name)
    if not match:
        reader_fail(gettext("The GeoJSON 'crs' is not an EPSG code."))
    return int(match.group(1))


def _read_geojson(source: ImportSource):
    try:
        with open(source.path, "rb") as fh:
            data = json.loads(fh.read().decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError):
        reader_fail(gettext("The file is not valid GeoJSON (JSON could not be parsed)."))
    if not isinstance(data, dict):
        reader_fail(gettext("GeoJSON must be a FeatureCollection or a Feature."))
    if data.get("type") == "Feature":
        features = [data]
    elif data.get("type") == "FeatureCollection" and isinstance(data.get("features"), list):
        features = data["features"]
    else:
        reader_fail(gettext("GeoJSON must be a FeatureCollection or a Feature."))
    srid = _epsg_from_crs_member(data.get("crs")) or source.srid or 4326
    if srid != 4326 and not crs_is_usable(srid):
        reader_fail(gettext("Unknown EPSG code %(code)s.") % {"code": srid})

    def rows():
        for i, item in enumerate(features, 1):
            if not isinstance(item, dict) or not isinstance(item.get("geometry"), dict):
                yield ParsedFeature(i, error=gettext("Not a GeoJSON Feature with a geometry."))
                continue
            props = item.get("properties") if isinstance(item.get("properties"), dict) else {}
            try:
                if srid == 4326:
                    geom = _to_4326(geometry_from_geojson(item["geometry"]), 4326)
                else:  # only type and coordinates reach GEOS: a nested "crs" is never handed to GDAL
                    geometry = item["geometry"]
                    geom = _to_4326(GEOSGeometry(json.dumps({"type": geometry.get("type"),
                                                             "coordinates": geometry.get("coordinates")})), srid)
                yield ParsedFeature(i, props, geom)
            except (ValidationError, GEOSException, GDALException, ValueError, TypeError) as exc:
                yield ParsedFeature(i, props, error=reader_reason(exc))

    return len(features), rows()


def _ogr_value(value):
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _layer_srid(layer, fmt: str) -> int:
    if fmt in ("kml", "gpx"):
        return 4326
    srs = layer.srs
    if srs is None:
        return 4326
    code = srs.srid
    if code is None:
        try:
            srs.identify_epsg()
            code = srs.srid
        except GDALException:
            code = None
    if code is None:
        reader_fail(gettext("The file's coordinate system has no EPSG code; save it with one (e.g. EPSG:5186)."))
    if not crs_is_usable(int(code)):
        reader_fail(gettext("Unknown EPSG code %(code)s.") % {"code": code})
    return int(code)


def _read_ogr(source: ImportSource):
    try:
        ds = DataSource(str(source.path), encoding="utf-8")
    except GDALException:
        reader_fail(gettext("The file could not be read as %(format)s.") % {"format": source.fmt.upper()})
    layers = [layer for layer in ds if source.fmt != "gpx" or layer.name in ("waypoints", "routes", "tracks")]
    plan = []
    for layer in layers:
        srid = source.srid if source.srid and layer.srs is None else _layer_srid(layer, source.fmt)
        plan.append((layer, srid))
    total = sum(len(layer) for layer, _ in plan)

    def rows():
        i = 0
        for layer, srid in plan:
            names = [n for n in layer.fields if not (source.fmt == "kml" and n in KML_HOUSEKEEPING)]
            for feat in layer:
                i += 1
                try:
                    props = {name: _ogr_value(feat.get(name)) for name in names}
                except (GDALException, UnicodeDecodeError, ValueError):
                    props = {}
                try:
                    ogr_geom = feat.geom
                    if ogr_geom is None:
                        raise ValidationError(gettext("The feature has no geometry."))
                    yield ParsedFeature(i, props, _to_4326(_ogr_to_geos(ogr_geom), srid))
                except (ValidationError, GEOSException, GDALException, ValueError, TypeError) as exc:
                    yield ParsedFeature(i, props, error=reader_reason(exc))

    return total, rows(), ds


def _ogr_to_geos(ogr_geom: OGRGeometry) -> GEOSGeometry:
    ogr_geom.set_3d(False)
    return GEOSGeometry(memoryview(bytes(ogr_geom.wkb)))


def _coordinate(cell) -> float | None:
    return cell_number(cell, limit=math.inf)  # geometry_to_4326 bounds it by the CRS's area of use


def _read_csv(source: ImportSource):
    with open(source.path, "rb") as fh:
        rows_all = csv_rows(csv_text(fh.read()))
    if len(rows_all) < 2:
        reader_fail(gettext("The CSV needs a header row and at least one row."))
    header = rows_all[0]
    normed = [header_key(h) for h in header]
    wkt_col = next((i for i, h in enumerate(normed) if h in WKT_KEYS), None)
    lon_col = next((i for i, h in enumerate(normed) if h in LON_KEYS), None)
    lat_col = next((i for i, h in enumerate(normed) if h in LAT_KEYS), None)
    if wkt_col is None and (lon_col is None or lat_col is None):
        reader_fail(gettext("The CSV needs longitude and latitude columns (lon/lat or x/y) or a WKT column."))
    data = rows_all[1:]
    srid = source.srid or 4326
    swap = False
    if wkt_col is None and srid == 4326:
        swap = _axes_swapped([(_coordinate(r[lon_col]) if lon_col < len(r) else None,
                               _coordinate(r[lat_col]) if lat_col < len(r) else None) for r in data])
        if swap:
            source.notes.append(gettext("The columns %(lon)r and %(lat)r hold latitude and longitude the other way "
                                        "round; they were swapped.") % {"lon": header[lon_col], "lat": header[lat_col]})
    geometry_cols = {c for c in (wkt_col, lon_col, lat_col) if c is not None}

    def rows():
        for i, row in enumerate(data, 1):
            props = {header[c]: (row[c] if c < len(row) else None) for c in range(len(header)) if c not in geometry_cols}
            try:
                if len(row) != len(header):
                    raise ValidationError(gettext("Row has %(cells)d cells, the header %(header)d.")
                                          % {"cells": len(row), "header": len(header)})
                if wkt_col is not None:
                    if not WKT_RE.match(row[wkt_col]) or len(row[wkt_col]) > 1_000_000:
                        raise ValidationError(gettext("The geometry column must hold WKT, e.g. POINT (127.0276 37.4979)."))
                    geom = GEOSGeometry(row[wkt_col])
                else:
                    x, y = _coordinate(row[lon_col]), _coordinate(row[lat_col])
                    if x is None or y is None:
                        raise ValidationError(gettext("Longitude or latitude is not a number."))
                    if swap:
                        x, y = y, x
                    geom = Point(x, y)
                yield ParsedFeature(i, props, _to_4326(geom, srid))
            except (ValidationError, GEOSException, GDALException, ValueError, TypeError) as exc:
                yield ParsedFeature(i, props, error=reader_reason(exc))

    return len(data), rows()


def _axes_swapped(pairs) -> bool:
    """True when the 'longitude' column holds latitudes and vice versa (as in Seoul's toilet CSV).

    Decided for the whole file: either the latitude column is out of ±90 while the longitude column
    is not, or the values only make sense swapped for Korea (latitude 33–39, longitude 124–132).
    """
    pairs = [(x, y) for x, y in pairs if x is not None and y is not None]
    if not pairs:
        return False
    n = len(pairs)
    lat_out = sum(1 for x, y in pairs if abs(y) > 90 and abs(x) <= 90)
    if lat_out > n / 2:
        return True
    korea_swapped = sum(1 for x, y in pairs if 33 <= x <= 39 and 124 <= y <= 132)
    return korea_swapped > n / 2


def import_read(source: ImportSource):
    """(total, iterator of ParsedFeature, keep-alive handle)."""
    if source.fmt == "geojson":
        total, rows = _read_geojson(source)
        return total, rows, None
    if source.fmt == "csv":
        total, rows = _read_csv(source)
        return total, rows, None
    return _read_ogr(source)
