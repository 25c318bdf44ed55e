from django.apps import AppConfig

from geoplatform.media import media_register


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Topic proposals, voting rounds, campaigns and platform feedback"

    def ready(self):
        from . import flaggable  # noqa: F401  (proposals and comments may be flagged)
        from . import layers  # noqa: F401  (registers the proposals and campaigns layers)
        from . import receivers  # noqa: F401  (scrubs feedback attachments when an account is erased)

        media_register(prefix="feedback/", lookup=_feedback_by_file, may_view=_feedback_may_view)


def _feedback_by_file(name: str):
    from django.db.models import Q

    from .models import Feedback

    return Feedback.objects.filter(Q(screenshot=name) | Q(screenshot_thumbnail=name)).first()


def _feedback_may_view(feedback, request) -> bool:
    from layers.access import request_viewer

    return feedback.can_see_private_parts(request_viewer(request).user)
