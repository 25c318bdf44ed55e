"""What the layer catalogue says about a layer."""
from django.urls import NoReverseMatch, reverse
from rest_framework import serializers

from .registry import Layer
from .styles import tile_url_template
from .links import _absolute, style_url, tilejson_url


class LayerSummarySerializer(serializers.Serializer):
    """A layer: its titles, kind, zooms, fields and legend, and the URLs of its TileJSON, style, tiles, OGC API
    items and exports. (Written by `layer_summary`; tests/core/test_list_envelope.py checks the two agree.)"""

    name = serializers.CharField()
    title = serializers.CharField(help_text="in the reader's language")
    title_ko = serializers.CharField()
    title_en = serializers.CharField()
    description = serializers.CharField(allow_blank=True, help_text="in the reader's language")
    kind = serializers.CharField(help_text="vector (MVT) or raster (PNG)")
    geometry_type = serializers.CharField(help_text="point, line, polygon or mixed")
    fields = serializers.ListField(child=serializers.CharField(), help_text="the public fields of a feature")
    public = serializers.BooleanField(help_text="false: what is seen depends on the viewer")
    minzoom = serializers.IntegerField()
    maxzoom = serializers.IntegerField()
    attribution = serializers.CharField(allow_blank=True)
    legend = serializers.ListField(child=serializers.DictField(), help_text="entries with `label` and `color`")
    style = serializers.URLField(help_text="the MapLibre style")
    meta = serializers.DictField(help_text="links back to the owning object, e.g. `map_id`")
    tilejson = serializers.URLField()
    tiles = serializers.CharField(help_text="the tile URL template ({z}/{x}/{y})")
    ogc_items = serializers.URLField(required=False, help_text="vector layers: the OGC API Features items")
    exports = serializers.DictField(child=serializers.URLField(), required=False,
                                    help_text="vector layers: a download URL per format")


def layer_summary(request, layer: Layer) -> dict:
    language = "en" if getattr(request, "LANGUAGE_CODE", "ko").startswith("en") else "ko"
    out = {
        "name": layer.name,
        "title": layer.title(language),
        "title_ko": layer.title_ko,
        "title_en": layer.title_en,
        "description": layer.description_en if language == "en" else layer.description_ko,
        "kind": layer.kind,
        "geometry_type": layer.geometry_type,
        "fields": list(layer.fields),
        "public": layer.public,
        "minzoom": layer.minzoom,
        "maxzoom": layer.maxzoom,
        "attribution": layer.attribution,
        "legend": layer.legend,
        "style": style_url(request, layer.name),
        "meta": layer.meta,
    }
    if layer.kind == "raster":
        out["tiles"] = tile_url_template(request, layer)
        out["tilejson"] = tilejson_url(request, layer.name)
    else:
        out["tilejson"] = tilejson_url(request, layer.name)
        out["tiles"] = tile_url_template(request, layer)
        try:
            out["ogc_items"] = _absolute(request, reverse("ogc-items", args=[layer.name]))
        except NoReverseMatch:
            pass
        out["exports"] = {fmt: _absolute(request, reverse("layer-export", args=[layer.name, fmt]))
                          for fmt in ("geojson", "gpkg", "csv", "shp", "kml")}
    return out
