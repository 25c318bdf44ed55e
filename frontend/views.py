"""The web app's own pages: the home page and the district labels the maps share. Every other page lives
with its app (`<app>/views.py`, `<app>/page_urls.py`) and renders a template extending `frontend/base.html`;
the page's script reads what it needs from the API (the page hands ids and options through `page_config`)."""
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control

from districts.models import District
from geoplatform.geojson import geometry_geojson


def home(request):
    return render(request, "frontend/home.html", {"page_config": {}})


@cache_control(public=True, max_age=3600)
def district_labels(request):
    """One label point per district (inside its polygon): vector tiles would repeat a name per tile."""
    from django.contrib.gis.db.models.functions import PointOnSurface

    features = [
        {"type": "Feature", "id": d.code, "geometry": geometry_geojson(d.label),
         "properties": {"code": d.code, "name_ko": d.name_ko, "name_en": d.name_en}}
        for d in District.objects.annotate(label=PointOnSurface("geom")).only("code", "name_ko", "name_en")
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
