"""Maps, features and photos people may flag; hiding one redraws the map's layer and tells its open sockets."""
from layers.services import layer_version_bump, tile_cache_invalidate
from moderation.flaggable import Flaggable, flaggables

from .models import Feature, FeaturePhoto, Map
from .services import feature_moderated_event, feature_photos_event


def _feature_changed(feature):
    tile_cache_invalidate(layer_name=f"map-{feature.map_id}", geometries=[feature.geom])
    feature_moderated_event(feature=feature)


flaggables.register(Flaggable(
    target_type="map",
    model=Map,
    can_view=lambda map_obj, user: map_obj.can_view(user),
    changed=lambda map_obj: layer_version_bump(layer_name=f"map-{map_obj.pk}"),
    owner=lambda map_obj: map_obj.owner,
))
flaggables.register(Flaggable(
    target_type="feature",
    model=Feature,
    can_view=lambda feature, user: feature.can_view(user),
    changed=_feature_changed,
    owner=lambda feature: feature.author,
))
flaggables.register(Flaggable(
    target_type="photo",
    model=FeaturePhoto,
    can_view=lambda photo, user: not photo.is_hidden and photo.feature.can_view(user),
    changed=lambda photo: feature_photos_event(feature=photo.feature),  # not in tiles: only the live event
    owner=lambda photo: photo.uploaded_by,
))
