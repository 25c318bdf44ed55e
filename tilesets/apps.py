from django.apps import AppConfig


class TilesetsConfig(AppConfig):
    name = "tilesets"
