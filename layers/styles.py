"""MapLibre styles and TileJSON documents, both made from the Layer objects of the registry.

A layer's `style` holds paint hints: `color`, `fill_opacity`, `line_width`, `radius`,
`opacity`, and `property` naming the attribute its `legend` classifies. Legend entries
with `value` colour features whose property equals it (categories); entries with `min`
colour features from that value up (classes, e.g. a choropleth's breaks, in ascending
order). `style["maplibre_layers"]` may instead give MapLibre layer objects as they are;
`source` and `source-layer` are filled in.

Without `settings.BASEMAP_TILE_URL` the base map is the districts layer itself, so a
style never points outside this server (the machines it runs on may be offline).
"""
from __future__ import annotations

import copy

from django.conf import settings
from django.urls import reverse

from .registry import Layer
from .tiles import clusters_points
from .links import _absolute

DEFAULT_COLOR = "#3d5a80"
CITY_BOUNDS = [126.76, 37.41, 127.19, 37.72]  # Seoul, from the districts' extent
CITY_CENTER = [126.978, 37.5665, 11]
BASE_LAYER = "districts"


def layer_bounds(layer: Layer) -> list[float]:
    return list(layer.meta.get("bounds") or getattr(settings, "TILES_DEFAULT_BOUNDS", CITY_BOUNDS))


def tile_url_template(request, layer: Layer) -> str:
    """`…/tiles/<layer>/{z}/{x}/{y}.mvt`; a public layer's carries `v=<layer_tile_version>` (edge-cacheable)."""
    from .selectors import layer_tile_version

    tilejson = _absolute(request, reverse("tilejson", args=[layer.name]))
    base, _, query = tilejson.partition("?")
    if layer.public:
        query = "&".join(filter(None, [query, f"v={layer_tile_version(layer)}"]))
    extension = "png" if layer.kind == "raster" else "mvt"
    return base[: -len(".json")] + "/{z}/{x}/{y}." + extension + (f"?{query}" if query else "")


def tilejson(request, layer: Layer) -> dict:
    bounds = layer_bounds(layer)
    center = layer.meta.get("center") or [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2,
                                          max(layer.minzoom, min(CITY_CENTER[2], layer.maxzoom))]
    doc = {
        "tilejson": "3.0.0",
        "name": layer.title(_language(request)),
        "description": layer.description_en if _language(request) == "en" else layer.description_ko,
        "version": "1.0.0",
        "attribution": layer.attribution,
        "scheme": "xyz",
        "tiles": [tile_url_template(request, layer)],
        "minzoom": layer.minzoom,
        "maxzoom": layer.maxzoom,
        "bounds": bounds,
        "center": center,
    }
    if layer.kind != "raster":
        fields = {name: name for name in layer.fields}
        if clusters_points(layer) and layer.cluster_maxzoom >= layer.minzoom:
            fields["count"] = f"number of points in a grid cell (zoom <= {layer.cluster_maxzoom})"
            fields["point_count"] = "same as count"
        elif layer.geometry_type in ("line", "polygon") and layer.aggregated:
            fields["count"] = "number of features too small to draw at this zoom in a grid cell (zoom < 15)"
            fields["point_count"] = "same as count"
        doc["vector_layers"] = [{
            "id": layer.name, "description": layer.title(_language(request)),
            "minzoom": layer.minzoom, "maxzoom": layer.maxzoom, "fields": fields,
        }]
    return doc


def _language(request) -> str:
    lang = getattr(request, "LANGUAGE_CODE", "") or settings.LANGUAGE_CODE
    return "en" if lang.startswith("en") else "ko"


def color_expression(layer: Layer):
    style, legend = layer.style or {}, layer.legend or []
    color = style.get("color", DEFAULT_COLOR)
    prop = style.get("property")
    if style.get("category_field") and style.get("category_colors"):  # {"category": "#hex"} as maps give it
        expression = ["match", ["to-string", ["get", style["category_field"]]]]
        for value, value_color in style["category_colors"].items():
            expression += [str(value), value_color]
        return expression + [color]
    if prop and legend and all("value" in item for item in legend):
        expression = ["match", ["to-string", ["get", prop]]]
        for item in legend:
            expression += [str(item["value"]), item.get("color", color)]
        return expression + [color]
    if prop and legend and all("min" in item for item in legend):
        ordered = sorted(legend, key=lambda item: float(item["min"]))
        expression = ["step", ["to-number", ["get", prop], 0], ordered[0].get("color", color)]
        for item in ordered[1:]:
            expression += [float(item["min"]), item.get("color", color)]
        return expression
    return color


def style_layers(layer: Layer, source: str, *, as_base: bool = False) -> list[dict]:
    """MapLibre layer objects drawing `layer` from `source`."""
    style = layer.style or {}
    prefix = f"{source}-"
    if layer.kind == "raster":
        return [{"id": f"{prefix}raster", "type": "raster", "source": source,
                 "paint": {"raster-opacity": float(style.get("opacity", 0.75))}}]
    if style.get("maplibre_layers"):
        layers = []
        for i, given in enumerate(style["maplibre_layers"]):
            item = copy.deepcopy(given)
            item["id"] = f"{prefix}{item.get('id', i)}"
            item["source"], item["source-layer"] = source, layer.name
            layers.append(item)
        return layers
    color = color_expression(layer)
    common = {"source": source, "source-layer": layer.name, "minzoom": layer.minzoom}
    opacity = float(style.get("opacity", 0.9))
    geometry = layer.geometry_type
    out = []
    if geometry in ("polygon", "mixed"):
        out.append({"id": f"{prefix}fill", "type": "fill", **common,
                    "filter": ["==", ["geometry-type"], "Polygon"] if geometry == "mixed" else ["all"],
                    "paint": {"fill-color": color, "fill-opacity": float(style.get("fill_opacity", 0.35))}})
        out.append({"id": f"{prefix}outline", "type": "line", **common,
                    "filter": ["==", ["geometry-type"], "Polygon"] if geometry == "mixed" else ["all"],
                    "paint": {"line-color": style.get("line_color", style.get("color", DEFAULT_COLOR)),
                              "line-width": float(style.get("line_width", 2.0 if as_base else 1.0)),
                              "line-opacity": opacity}})
    if geometry in ("line", "mixed"):
        out.append({"id": f"{prefix}line", "type": "line", **common,
                    "filter": ["==", ["geometry-type"], "LineString"] if geometry == "mixed" else ["all"],
                    "layout": {"line-cap": "round", "line-join": "round"},
                    "paint": {"line-color": color, "line-width": float(style.get("line_width", 3.0)),
                              "line-opacity": opacity}})
    if geometry in ("point", "mixed"):
        radius = float(style.get("radius", 5))
        point_filter = ["all", ["!", ["has", "count"]]]
        if geometry == "mixed":
            point_filter.append(["==", ["geometry-type"], "Point"])
        if clusters_points(layer) and layer.cluster_maxzoom >= layer.minzoom:
            out.append({"id": f"{prefix}clusters", "type": "circle", **common, "filter": ["has", "count"],
                        "paint": {"circle-color": color if isinstance(color, str) else style.get("color", DEFAULT_COLOR),
                                  "circle-opacity": 0.75,
                                  "circle-radius": ["interpolate", ["linear"], ["sqrt", ["get", "count"]],
                                                    1, radius, 10, radius * 2.5, 100, radius * 6],
                                  "circle-stroke-color": "#ffffff", "circle-stroke-width": 1}})
        out.append({"id": f"{prefix}points", "type": "circle", **common, "filter": point_filter,
                    "paint": {"circle-color": color, "circle-radius": radius, "circle-opacity": opacity,
                              "circle-stroke-color": "#ffffff", "circle-stroke-width": 1}})
    if geometry in ("line", "polygon") and layer.aggregated:
        # the features too small to draw at a low zoom, merged into counted cells (layers/aggregates.py)
        for item in out:
            item["filter"] = ["!", ["has", "count"]]
        out.append({"id": f"{prefix}clusters", "type": "circle", **common, "filter": ["has", "count"],
                    "paint": {"circle-color": color if isinstance(color, str) else style.get("color", DEFAULT_COLOR),
                              "circle-opacity": 0.6,
                              "circle-radius": ["interpolate", ["linear"], ["sqrt", ["get", "count"]], 1, 3, 10, 7, 100, 16],
                              "circle-stroke-color": "#ffffff", "circle-stroke-width": 1}})
    for item in out:
        if item.get("filter") == ["all"]:
            del item["filter"]
    return out


def _source(request, layer: Layer) -> dict:
    from .links import tilejson_url

    if layer.kind == "raster":
        return {"type": "raster", "tiles": [tile_url_template(request, layer)], "tileSize": 256,
                "minzoom": layer.minzoom, "maxzoom": layer.maxzoom, "attribution": layer.attribution}
    return {"type": "vector", "url": tilejson_url(request, layer.name), "attribution": layer.attribution}


def base_style(request) -> tuple[dict, list]:
    """Sources and layers of the base map: the configured raster tiles, or the districts layer."""
    from .registry import registry

    layers = [{"id": "background", "type": "background", "paint": {"background-color": "#f4f1ea"}}]
    url = getattr(settings, "BASEMAP_TILE_URL", "")
    if url:
        sources = {"basemap": {"type": "raster", "tiles": [url], "tileSize": 256,
                               "attribution": getattr(settings, "BASEMAP_ATTRIBUTION", "")}}
        layers.append({"id": "basemap", "type": "raster", "source": "basemap"})
        return sources, layers
    base = registry.get(BASE_LAYER)
    if base is None:
        return {}, layers
    sources = {"base-districts": _source(request, base)}
    layers += style_layers(base, "base-districts", as_base=True)
    return sources, layers


def map_style(request, layers: list[Layer], name: str) -> dict:
    sources, style_layers_list = base_style(request)
    for layer in layers:
        sources[layer.name] = _source(request, layer)
        style_layers_list += style_layers(layer, layer.name)
    return {
        "version": 8,
        "name": name,
        "center": CITY_CENTER[:2],
        "zoom": CITY_CENTER[2],
        "sources": sources,
        "layers": style_layers_list,
        "metadata": {"geoplatform:legend": {layer.name: layer.legend for layer in layers}},
    }
