from django.apps import AppConfig

from geoplatform.media import media_register


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = "Committee meetings"

    def ready(self):
        from . import layers  # noqa: F401  (registers the meetings layer)

        media_register(prefix="meetings/", lookup=_document_by_file, may_view=lambda document, request: document.file_visible)


def _document_by_file(name: str):
    from .models import MeetingDocument

    return MeetingDocument.objects.select_related("meeting").filter(file=name).first()
