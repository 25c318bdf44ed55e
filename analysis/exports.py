"""Downloads: outputs (CSV, GeoPackage, GeoJSON, GeoTIFF) and the input records behind an analysis."""
import datetime
import io
import re
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.db.models.functions import AsWKT
from django.db import transaction
from django.db.models import F
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext

from geoplatform.csvfiles import csv_writer
from geoplatform.geojson import GEOJSON_PRECISION
from geoplatform.responses import FileStreamResponse, StreamingResponse
from layers.access import layer_visible, request_viewer
from layers.exports import export_layer_response
from layers.registry import Layer, Viewer

from .layers import output_layer
from .models import Analysis, AnalysisOutput

# Attributes that identify people never leave through an analysis, whoever asks.
IDENTITY_FIELD = re.compile(r"reporter|author|user|email|owner|created_by|updated_by|actor|contact|photo|token|phone"
                            r"|(^|_)ip($|_)", re.IGNORECASE)


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=400)


def output_export_response(*, output: AnalysisOutput, fmt: str, request):
    stem = f"analysis-{output.analysis_id}-{output.key}"
    if output.kind == AnalysisOutput.Kind.RASTER:
        if fmt != "tif":
            return _bad(gettext("A raster output exports as GeoTIFF only (export.tif)"))
        path = Path(settings.MEDIA_ROOT) / output.raster_path
        if not output.raster_path or not path.exists():
            return JsonResponse({"detail": gettext("This output has not been computed yet")},
                                status=404)
        return FileStreamResponse(path.open("rb"), as_attachment=True, filename=f"{stem}.tif", content_type="image/tiff")
    if fmt not in ("csv", "gpkg", "geojson"):
        return _bad(gettext("Export a vector output as csv, gpkg or geojson"))
    return export_layer_response(layer=output_layer(output), viewer=request_viewer(request), fmt=fmt, filename=stem)


def public_fields(layer: Layer) -> list[str]:
    return [name for name in layer.fields if not IDENTITY_FIELD.search(name)]


def _to_day(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date().isoformat() if timezone.is_aware(value) else value.date().isoformat()
    return value


def _record_rows(analysis: Analysis, viewer: Viewer, *, full: bool):
    """(source, fields…, date, wkt) for every record of every source the viewer may see."""
    for name in analysis.sources:
        layer = layer_visible(name, viewer, kind="vector")
        if layer is None:
            continue
        fields = public_fields(layer)
        columns = {"_export_geom": AsWKT(F(layer.geom_field), precision=GEOJSON_PRECISION)}
        if layer.datetime_field:
            columns["_export_time"] = F(layer.datetime_field)
        queryset = layer.get_queryset(viewer).order_by().annotate(**columns)
        for row in queryset.values(*fields, *columns).order_by("_export_geom").iterator(chunk_size=2000):
            values = [row[f] for f in fields]
            when = row.get("_export_time")
            if not full:
                values = [_to_day(v) for v in values]
                when = _to_day(when)
            elif isinstance(when, datetime.datetime):
                when = timezone.localtime(when).isoformat() if timezone.is_aware(when) else when.isoformat()
            yield name, fields, values, when, row["_export_geom"]


def records_export_response(*, analysis: Analysis, request, full: bool):
    viewer = request_viewer(request) if full else Viewer(user=AnonymousUser())
    if full:
        from audit.services import audit_record

        with transaction.atomic():
            audit_record(actor=request.user, action="analysis.records_export_full", target=analysis, before=None,
                         after={"sources": analysis.sources, "detail": "full"})

    def stream():
        buffer = io.StringIO()
        writer = csv_writer(buffer)
        header_for = None
        for name, fields, values, when, wkt in _record_rows(analysis, viewer, full=full):
            if header_for != name:
                writer.writerow(["source", *fields, "time" if full else "date", "wkt"])
                header_for = name
            writer.writerow([name, *values, when or "", wkt])
            if buffer.tell() > 64 * 1024:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = StreamingResponse(stream(), content_type="text/csv; charset=utf-8")
    suffix = "full" if full else "public"
    response["Content-Disposition"] = f'attachment; filename="analysis-{analysis.pk}-records-{suffix}.csv"'
    return response
