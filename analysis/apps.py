from django.apps import AppConfig


class AnalysisConfig(AppConfig):
    name = "analysis"
    verbose_name = "Analyses published as layers"

    def ready(self):
        from . import layers  # noqa: F401  (registers the `analysis-<id>` layer family)
        from . import receivers  # noqa: F401
