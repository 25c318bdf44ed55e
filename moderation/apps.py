from django.apps import AppConfig


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = "Moderation: flags, review, bans, abuse limits"

    def ready(self):
        from . import receivers  # noqa: F401  (account deletion scrubs what this app holds)
