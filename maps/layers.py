"""Each map is a layer `map-<id>`: its visible features, styled by the map's category colours."""
from geoplatform.messages import reader_text
from layers.registry import Layer, Viewer, registry

from .models import ContributionMode, Feature, Map, Visibility

DEFAULT_COLOR = "#e4572e"
FIELDS = ("id", "name", "category", "status", "map_id")


def map_layer(map_obj: Map) -> Layer:
    categories = map_obj.categories or []
    colors = {c["key"]: c["color"] for c in categories}

    def queryset(viewer: Viewer, map_obj=map_obj):
        return Feature.objects.visible_to(map_obj, viewer.user, viewer.secret)

    def can_view(viewer: Viewer, map_obj=map_obj) -> bool:
        return map_obj.can_view(viewer.user, viewer.secret)

    return Layer(
        name=map_obj.layer_name,
        title_ko=map_obj.title,
        title_en=map_obj.title,
        description_ko=map_obj.description,
        description_en=map_obj.description,
        geometry_type="mixed",
        fields=FIELDS,
        id_field="pk",
        datetime_field="updated_at",
        # Moderated maps show pending suggestions to their editors only: their tiles depend on the viewer.
        public=(map_obj.visibility == Visibility.PUBLIC and not map_obj.is_hidden
                and map_obj.contribution_mode != ContributionMode.MODERATED),
        attribution=f"{map_obj.owner.public_name or 'geoplatform'} · {map_obj.license}",
        style={"color": DEFAULT_COLOR, "property": "category", "category_field": "category",
               "category_colors": colors, "category_icons": {c["key"]: c["icon"] for c in categories},
               "status_field": "status"},
        legend=[{"key": c["key"], "value": c["key"], "label": reader_text(ko=c["label_ko"], en=c["label_en"]),
                 "color": c["color"], "icon": c["icon"]} for c in categories],
        queryset_factory=queryset,
        can_view_rule=can_view,
        version_factory=lambda stamp=map_obj.updated_at: stamp.isoformat() if stamp else "0",
        meta={"map_id": map_obj.pk, "owner_id": map_obj.owner_id, "theme": map_obj.theme, "license": map_obj.license},
    )


def _resolve(key: str):
    if not key.isdigit() or len(key) > 18:
        return None
    map_obj = Map.objects.select_related("owner").filter(pk=int(key)).first()
    return map_layer(map_obj) if map_obj else None


def _list(viewer: Viewer):
    user = viewer.user
    qs = Map.objects.listed_for(user).select_related("owner")
    return [map_layer(m) for m in qs]


registry.register_family("map", _resolve, _list)
