from django.apps import AppConfig


class BenchConfig(AppConfig):
    name = "bench"
    verbose_name = "Tile benchmark data (1,000,000 points, 50,000 polygons)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import layers  # noqa: F401
