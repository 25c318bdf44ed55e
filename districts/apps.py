from django.apps import AppConfig


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = "Seoul districts (gu) and administrative dongs"

    def ready(self):
        from . import layers  # noqa: F401  (registers the district layers)
