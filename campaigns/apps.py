from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = "Topic proposals, voting rounds and campaigns"

    def ready(self):
        from . import messages  # noqa: F401  (registers the keys of the messages it stores)
        from . import flaggable  # noqa: F401  (proposals and comments may be flagged)
        from . import layers  # noqa: F401  (registers the proposals and campaigns layers)
        from . import receivers  # noqa: F401  (an erased account leaves the evaluator volunteers)
