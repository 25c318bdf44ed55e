from django.apps import AppConfig


class LayersConfig(AppConfig):
    name = "layers"
    verbose_name = "Layer registry, tiles, OGC API and exports"

    def ready(self):
        from . import datasets  # noqa: F401  (registers the dataset-<slug> family)
