from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Committee meetings"

    def ready(self):
        from . import layers  # noqa: F401  (registers the meetings layer)
