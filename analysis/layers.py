"""Every analysis output is a layer `analysis-<output id>`: vector cells as polygons, densities as PNG tiles."""
from functools import partial
from pathlib import Path

from django.conf import settings

from geoplatform.messages import reader_legend
from layers.registry import Layer, Viewer, registry

from .messages import value_label_text
from .models import AnalysisOutput
from .raster import raster_tile_png
from .selectors import output_by_layer_key, output_cells, published_outputs

FIELDS = ("key", "label", "count", "count_before", "value", "p_value", "klass", "suppressed")


def _render(output: AnalysisOutput, z: int, x: int, y: int) -> bytes | None:
    classes = [entry for entry in output.legend if "min" in entry]
    breaks, colors = [entry["min"] for entry in classes], [entry["color"] for entry in classes]
    if not output.raster_path or not breaks:
        return None
    return raster_tile_png(Path(settings.MEDIA_ROOT) / output.raster_path, z, x, y, breaks=breaks, colors=colors)


def output_layer(output: AnalysisOutput) -> Layer:
    analysis = output.analysis
    raster = output.kind == AnalysisOutput.Kind.RASTER
    return Layer(
        name=output.layer_name,
        title_ko=f"{analysis.name}: {output.title_ko}",
        title_en=f"{analysis.name}: {output.title_en}",
        geometry_type="raster" if raster else output.geometry_type,
        fields=() if raster else FIELDS,
        description_ko=analysis.description,
        description_en=value_label_text(output.value_label, language="en"),
        id_field="pk",
        attribution="geoplatform analysis; sources: " + ", ".join(analysis.sources),
        public=analysis.is_published,
        style={"color": "#bdbdbd", "fill_opacity": 0.6, "property": "klass", "opacity": 0.75},
        queryset_factory=None if raster else (lambda viewer: output_cells(output)),
        can_view_rule=lambda viewer: analysis.can_view(viewer.user),
        version_factory=lambda: f"{analysis.fingerprint[:16]}-{analysis.ran_at.timestamp() if analysis.ran_at else 0}",
        kind="raster" if raster else "vector",
        raster_tile=partial(_render, output) if raster else None,
        maxzoom=18 if raster else 22,
        legend=reader_legend(output.legend),
        meta={"analysis_id": analysis.pk, "output_id": output.pk, "output_key": output.key},
    )


def _resolve(key: str) -> Layer | None:
    output = output_by_layer_key(key)
    return output_layer(output) if output is not None else None


def _listed(viewer: Viewer) -> list[Layer]:
    return [output_layer(output) for output in published_outputs()]


registry.register_family("analysis", _resolve, _listed)
