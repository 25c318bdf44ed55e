"""Layer exports for analysts and map owners, streamed with bounded memory.

GeoJSON and CSV stream straight from a server-side cursor. GeoPackage, KML and zipped
Shapefile are written by GDAL's `ogr2ogr` from GeoJSON text sequences that were filled
from the same kind of cursor into a temporary directory; the result is streamed from disk
and the directory removed. Memory use stays at one cursor batch whatever the layer's size.
"""
from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

from django.contrib.gis.db.models.functions import AsGeoJSON, AsWKT
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from django.http import JsonResponse
from django.utils.http import content_disposition_header

from geoplatform.csvfiles import csv_writer
from geoplatform.geojson import GEOJSON_PRECISION
from geoplatform.responses import FileStreamResponse, StreamingResponse

from .registry import Layer, Viewer

EXPORT_FORMATS = {
    "geojson": ("application/geo+json", "geojson"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
    "kml": ("application/vnd.google-earth.kml+xml", "kml"),
    "shp": ("application/zip", "zip"),
}
CURSOR_BATCH = 2000
FLUSH_BYTES = 64 * 1024
GEOMETRY_FAMILIES = {"Point": "points", "MultiPoint": "points", "LineString": "lines",
                     "MultiLineString": "lines", "Polygon": "polygons", "MultiPolygon": "polygons"}

_encoder = DjangoJSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _safe_stem(filename: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", Path(filename or "layer").stem, flags=re.UNICODE).strip("._")
    return stem[:80] or "layer"


def _id_attname(layer: Layer) -> str:
    return "pk" if layer.id_field in ("pk", "id") else layer.id_field


def _rows(layer: Layer, viewer: Viewer, geometry):
    """Rows of (id, {field: value}, geometry text) from a server-side cursor."""
    id_name = _id_attname(layer)
    qs = layer.get_queryset(viewer).order_by()
    columns = [id_name, *[f for f in layer.fields if f != id_name]]
    values = qs.annotate(_export_geom=geometry).values_list(*columns, "_export_geom")
    for row in values.iterator(chunk_size=CURSOR_BATCH):
        yield row[0], dict(zip(columns[1:], row[1:-1])), row[-1]


def _geojson_stream(layer: Layer, viewer: Viewer):
    yield ('{"type":"FeatureCollection","name":%s,"features":[' % _encoder.encode(layer.name)).encode()
    buffer, first = [], True
    size = 0
    for fid, props, geometry in _rows(layer, viewer, AsGeoJSON(layer.geom_field, precision=GEOJSON_PRECISION)):
        text = '%s{"type":"Feature","id":%s,"properties":%s,"geometry":%s}' % (
            "" if first else ",", _encoder.encode(fid), _encoder.encode(props), geometry or "null")
        first = False
        buffer.append(text)
        size += len(text)
        if size >= FLUSH_BYTES:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    buffer.append("]}\n")
    yield "".join(buffer).encode()


def _csv_value(value):
    if isinstance(value, (dict, list)):
        return _encoder.encode(value)
    return "" if value is None else value


def _csv_stream(layer: Layer, viewer: Viewer):
    out = io.StringIO()
    writer = csv_writer(out)
    id_name = _id_attname(layer)
    writer.writerow(["id", *[f for f in layer.fields if f != id_name], "wkt"])
    for fid, props, wkt in _rows(layer, viewer, AsWKT(layer.geom_field, precision=GEOJSON_PRECISION)):
        writer.writerow([fid, *[_csv_value(v) for v in props.values()], wkt or ""])
        if out.tell() >= FLUSH_BYTES:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()


def _write_geojsonseq(layer: Layer, viewer: Viewer, directory: Path, split: bool) -> dict[str, Path]:
    """GeoJSON text sequences in `directory`: one file, or one per geometry family when split."""
    files, handles = {}, {}
    try:
        for fid, props, geometry in _rows(layer, viewer, AsGeoJSON(layer.geom_field, precision=GEOJSON_PRECISION)):
            if not geometry:
                continue
            family = "all"
            if split:
                family = GEOMETRY_FAMILIES.get(json.loads(geometry)["type"], "other")
                if family == "other":
                    continue
            if family not in handles:
                files[family] = directory / f"{family}.geojsonl"
                handles[family] = open(files[family], "w", encoding="utf-8")
            handles[family].write('{"type":"Feature","properties":%s,"geometry":%s}\n'
                                  % (_encoder.encode({"id": fid, **props}), geometry))
    finally:
        for handle in handles.values():
            handle.close()
    return files


def _ogr2ogr(*args: str) -> None:
    result = subprocess.run(["ogr2ogr", *args], capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise RuntimeError(f"ogr2ogr failed: {result.stderr.strip()[:500]}")


def _multi_option(layer: Layer) -> list[str]:
    if layer.geometry_type in ("line", "polygon"):
        return ["-nlt", "PROMOTE_TO_MULTI"]
    if layer.geometry_type == "mixed":
        return ["-nlt", "GEOMETRY"]
    return []


class _TempFileResponse(FileStreamResponse):
    """A FileResponse over a file in a temporary directory that goes away with the response."""

    def __init__(self, path: Path, directory: Path, **kwargs):
        handle = open(path, "rb")
        shutil.rmtree(directory, ignore_errors=True)  # the open handle keeps the data readable
        super().__init__(handle, **kwargs)


def _ogr_export(layer: Layer, viewer: Viewer, fmt: str, stem: str) -> Path:
    directory = Path(tempfile.mkdtemp(prefix="geoplatform-export-"))
    try:
        if fmt == "shp":
            sources = _write_geojsonseq(layer, viewer, directory, split=True)
            shp_dir = directory / stem
            shp_dir.mkdir()
            for family, source in sources.items():
                name = stem if len(sources) == 1 else f"{stem}_{family}"
                args = ["-f", "ESRI Shapefile", str(shp_dir / f"{name}.shp"), f"GeoJSONSeq:{source}",
                        "-nln", name, "-lco", "ENCODING=UTF-8"]
                if family != "points":
                    args += ["-nlt", "PROMOTE_TO_MULTI"]
                _ogr2ogr(*args)
            output = directory / f"{stem}.zip"
            with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(shp_dir.iterdir()):
                    archive.write(path, arcname=path.name)
        else:
            source = _write_geojsonseq(layer, viewer, directory, split=False).get("all")
            if source is None:  # an empty layer still exports as an empty, valid file
                source = directory / "all.geojsonl"
                source.write_text("")
            output = directory / f"{stem}.{EXPORT_FORMATS[fmt][1]}"
            driver = {"gpkg": "GPKG", "kml": "KML"}[fmt]
            args = ["-f", driver, str(output), f"GeoJSONSeq:{source}", "-nln", stem]
            if fmt == "gpkg":
                args += _multi_option(layer)
            _ogr2ogr(*args)
            if not output.exists():
                raise RuntimeError("ogr2ogr wrote no file")
        return output
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise


def export_layer_response(*, layer: Layer, viewer: Viewer, fmt: str, filename: str):
    """A download of what `viewer` may see of `layer` in `fmt` (geojson, gpkg, csv, shp, kml).

    The caller has checked that the viewer may export; the rows come from
    `layer.get_queryset(viewer)`, so moderation and privacy rules apply as on the map.
    """
    fmt = (fmt or "").lower()
    if fmt not in EXPORT_FORMATS:
        return JsonResponse(
            {"detail": _("Unknown export format %(format)s; use one of %(formats)s.")
                       % {"format": repr(fmt[:20]), "formats": ", ".join(EXPORT_FORMATS)}},
            status=400)
    content_type, extension = EXPORT_FORMATS[fmt]
    stem = _safe_stem(filename)
    download = f"{stem}.{extension}"
    if fmt == "geojson":
        response = StreamingResponse(_geojson_stream(layer, viewer), content_type=content_type)
    elif fmt == "csv":
        response = StreamingResponse(_csv_stream(layer, viewer), content_type=content_type)
    else:
        path = _ogr_export(layer, viewer, fmt, stem)
        response = _TempFileResponse(path, path.parent, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, download)
    response["Cache-Control"] = "private, no-store"
    return response
