from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Hazard reports"

    def ready(self):
        from . import flaggable  # noqa: F401  (reports may be flagged)
        from . import layers  # noqa: F401  (registers the `reports` layer)
        from . import receivers  # noqa: F401  (account deletion scrubs what this app holds)
