from django.apps import AppConfig


class GeoplatformConfig(AppConfig):
    name = "geoplatform"
    verbose_name = "geoplatform"
