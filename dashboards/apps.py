from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = "City dashboards (indicators)"

    def ready(self):
        from . import layers, receivers  # noqa: F401  (registers the indicator layers and signal receivers)
