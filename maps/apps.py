from django.apps import AppConfig

from geoplatform.media import media_register


class MapsConfig(AppConfig):
    name = "maps"
    verbose_name = "Citizens' maps"

    def ready(self):
        from accounts.signals import account_anonymised

        from . import flaggable  # noqa: F401  (maps, features and photos may be flagged)
        from . import layers  # noqa: F401  (registers the map layer family)
        from .receivers import on_account_anonymised

        account_anonymised.connect(on_account_anonymised, dispatch_uid="maps.account_anonymised")
        media_register(prefix="maps/photos/", lookup=_photo_by_file, may_view=_photo_may_view)


def _photo_by_file(name: str):
    from django.db.models import Q

    from .models import FeaturePhoto

    return FeaturePhoto.objects.select_related("feature__map").filter(Q(image=name) | Q(thumbnail=name)).first()


def _photo_may_view(photo, request) -> bool:
    from layers.access import request_viewer

    viewer = request_viewer(request)
    return photo.feature.can_view(viewer.user, viewer.secret or "")
