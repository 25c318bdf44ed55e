from django.apps import AppConfig

from geoplatform.media import media_register


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Platform feedback and the public roadmap"

    def ready(self):
        from . import messages  # noqa: F401  (registers the keys of the messages it stores)
        from . import receivers  # noqa: F401  (scrubs feedback attachments when an account is erased)

        media_register(prefix="feedback/", lookup=_feedback_by_file, may_view=_feedback_may_view)


def _feedback_by_file(name: str):
    from django.db.models import Q

    from .models import Feedback

    return Feedback.objects.filter(Q(screenshot=name) | Q(screenshot_thumbnail=name)).first()


def _feedback_may_view(feedback, request) -> bool:
    from layers.access import request_viewer

    return feedback.can_see_private_parts(request_viewer(request).user)
