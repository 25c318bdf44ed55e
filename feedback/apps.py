from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Platform feedback and the public roadmap"

    def ready(self):
        from . import receivers  # noqa: F401  (scrubs feedback attachments when an account is erased)
