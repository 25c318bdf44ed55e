from django.apps import AppConfig

from geoplatform.media import media_register


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "Hazard reports"

    def ready(self):
        from . import flaggable  # noqa: F401  (reports may be flagged)
        from . import layers  # noqa: F401  (registers the `reports` layer)
        from . import receivers  # noqa: F401  (account deletion scrubs what this app holds)

        media_register(prefix="reports/", lookup=_photo_by_file, may_view=_photo_may_view)


def _photo_by_file(name: str):
    from django.db.models import Q

    from .models import ReportPhoto

    return ReportPhoto.objects.select_related("report__category").filter(Q(image=name) | Q(thumbnail=name)).first()


def _photo_may_view(photo, request) -> bool:
    """As the report's API shows photos: a sensitive report's only to those who see it in full."""
    from layers.access import request_viewer

    user, report = request_viewer(request).user, photo.report
    return report.can_view(user) and (not report.category.is_sensitive or report.can_view_full(user))
