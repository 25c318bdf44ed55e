from django.apps import AppConfig


class MapsConfig(AppConfig):
    name = "maps"
    verbose_name = "Citizens' maps"

    def ready(self):
        from accounts.signals import account_anonymised

        from . import flaggable  # noqa: F401  (maps, features and photos may be flagged)
        from . import layers  # noqa: F401  (registers the map layer family)
        from .receivers import on_account_anonymised

        account_anonymised.connect(on_account_anonymised, dispatch_uid="maps.account_anonymised")
