"""The web app's own pages: the home page, and the district labels and orientation points the maps share. Every other page lives
with its app (`<app>/views.py`, `<app>/page_urls.py`) and renders a template extending `frontend/base.html`;
the page's script reads what it needs from the API (the page hands ids and options through `page_config`)."""
from django.contrib.gis.geos import Point
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from districts.models import District
from geoplatform.geojson import feature, feature_collection
from layers.access import layer_visible, request_viewer


def home(request):
    return render(request, "frontend/home.html", {"page_config": {}})


@cache_control(public=True, max_age=3600)
def district_labels(request):
    """One label point per district (inside its polygon): vector tiles would repeat a name per tile."""
    from django.contrib.gis.db.models.functions import PointOnSurface

    return JsonResponse(feature_collection(
        feature(d.label, {"code": d.code, "name_ko": d.name_ko, "name_en": d.name_en}, id=d.code)
        for d in District.objects.annotate(label=PointOnSurface("geom")).only("code", "name_ko", "name_en")))


# The city's open-data points that orient a reader at street zoom when there is no base map, besides the
# subway stations (named in both languages by districts.selectors.station_labels): the layer, its kind
# (drawing) and the zoom from which it shows. Datasets not loaded are left out.
LANDMARKS = (("dataset-seoul_public_libraries", "library", 15), ("dataset-seoul_public_toilets", "toilets", 16.5))


@cache_control(public=True, max_age=300)
def orientation(request):
    """What a map without a base map draws to orient people at street zoom (frontend js/map/index.js):
    one label point per dong (tiles would repeat a name per tile), the subway stations named in both
    languages, and the tile URLs of the other landmark layers (their names are in Korean only)."""
    from django.contrib.gis.db.models.functions import PointOnSurface

    from districts.models import Dong
    from districts.selectors import station_labels
    from layers.styles import tilejson

    dongs = feature_collection(feature(d.label, {"name_ko": d.name_ko, "name_en": d.name_en})
                               for d in Dong.objects.annotate(label=PointOnSurface("geom")).only("name_ko", "name_en"))
    viewer = request_viewer(request)
    landmarks = []
    for name, kind, minzoom in LANDMARKS:
        layer = layer_visible(name, viewer)
        if layer is not None and layer.public:
            doc = tilejson(request, layer)
            landmarks.append({"kind": kind, "minzoom": minzoom, "tiles": doc["tiles"], "maxzoom": doc["maxzoom"],
                              "sourceLayer": doc["vector_layers"][0]["id"], "attribution": doc["attribution"]})
    stations = feature_collection(feature(Point(s.pop("lon"), s.pop("lat"), srid=4326), s) for s in station_labels())
    return JsonResponse({"dongs": dongs, "stations": stations, "landmarks": landmarks},
                        json_dumps_params={"ensure_ascii": False})
