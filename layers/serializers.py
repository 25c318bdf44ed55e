"""What the layer catalogue says about a layer."""
from django.urls import NoReverseMatch, reverse

from .registry import Layer
from .styles import tile_url_template
from .links import _absolute, style_url, tilejson_url


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
