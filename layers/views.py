"""Web page of a layer: any layer of the catalogue on a map of its own (the layer switcher links here)."""
from django.shortcuts import render

from .access import layer_for_viewer, request_viewer


def layer_page(request, name: str):
    layer = layer_for_viewer(name, request_viewer(request))
    return render(request, "layers/layer.html", {"layer": layer, "page_config": {"layer": layer.name}})
