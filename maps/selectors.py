"""Reads on maps: the one access helper, lists, feature pages and history."""
from django.contrib.gis.geos import Polygon
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from geoplatform.ids import id_from

from .models import Feature, FeaturePhoto, FeatureVersion, Map, MapCollaborator, MapTemplate


MAP_NEEDS = {"view": None, "edit": "can_edit", "moderate": "can_moderate", "manage": "can_manage"}


def map_access(*, user, map_id, need: str = "view", secret: str = "", lock: bool = False) -> Map:
    """The one door to a map: fetch, check, lock the row when writing (inside the writer's transaction).

    404 both when it does not exist and when it is not this viewer's to see (with the secret link's `secret`).
    `need` 'edit', 'moderate' (review suggestions) or 'manage' (the owner's settings, collaborators, links)
    is a 404 too for those who may not: who runs a map is not shown to its other viewers.
    """
    pk = id_from(map_id)
    if pk is None:
        raise Http404
    maps = Map.objects.select_related("owner", "template")
    if lock:
        maps = maps.select_for_update(of=("self",))
    map_obj = maps.filter(pk=pk).first()
    if map_obj is None or not map_obj.can_view(user, secret):
        raise Http404
    rule = MAP_NEEDS[need]
    if rule == "can_manage" and not map_obj.can_manage(user):
        raise Http404
    if rule in ("can_edit", "can_moderate") and not getattr(map_obj, rule)(user, secret):
        raise Http404
    return map_obj


def feature_access(*, user, map_obj: Map, feature_id, secret: str = "", lock: bool = False) -> Feature:
    """The one door to a feature of a map the viewer may see (`map_access` first): 404 for missing, hidden or
    not-yours pending suggestions. With `lock`, the row is locked for the writer's transaction; whether the
    viewer may change it (403) is the service's rule, with its own message."""
    pk = id_from(feature_id)
    if pk is None:
        raise Http404
    features = Feature.objects.select_related("author")
    if lock:
        features = features.select_for_update(of=("self",))
    feature = features.filter(pk=pk, map=map_obj).first()
    if feature is None:
        raise Http404
    feature.map = map_obj
    if not feature.can_view(user, secret):
        raise Http404
    return feature


def photo_access(*, feature: Feature, photo_id) -> FeaturePhoto:
    """A photo of a feature the viewer may see (`feature_access` first) that moderation has not hidden; 404
    otherwise. Who may delete it is the service's rule."""
    pk = id_from(photo_id)
    photo = FeaturePhoto.objects.visible().filter(pk=pk, feature=feature).first() if pk is not None else None
    if photo is None:
        raise Http404
    photo.feature = feature
    return photo


def map_list(*, user, q: str = "", theme: str = "", owner: str = "", bbox: Polygon | None = None) -> QuerySet[Map]:
    """Maps for lists and search, with their published feature count and the viewer's collaborator role."""
    maps = (Map.objects.listed_for(user).search(q).with_theme(theme).owned_by(owner).in_bbox(bbox)
            .select_related("owner", "template")
            .annotate(feature_count=Count("features", filter=Q(features__status="published",
                                                                 features__is_hidden=False), distinct=True)))
    if user is not None and user.is_authenticated:
        role = MapCollaborator.objects.filter(map=OuterRef("pk"), user=user).values("role")[:1]
        maps = maps.annotate(viewer_role=Subquery(role))
    return maps


def feature_list(*, map_obj: Map, user, secret: str = "", bbox: Polygon | None = None,
                 category: str = "", status: str = "") -> QuerySet[Feature]:
    qs = Feature.objects.visible_to(map_obj, user, secret).in_bbox(bbox).select_related("author")
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("pk")


def suggestion_list(*, map_obj: Map) -> QuerySet[Feature]:
    return Feature.objects.filter(map=map_obj).pending().select_related("author").order_by("pk")


def history_for_map(*, map_obj: Map, user, secret: str = "") -> QuerySet[FeatureVersion]:
    """Every step for editors; for other viewers only the steps of features they can see now."""
    qs = FeatureVersion.objects.filter(map=map_obj).select_related("actor").order_by("-pk")
    if map_obj.can_moderate(user, secret):
        return qs
    visible_ids = Feature.objects.visible_to(map_obj, user, secret).values("pk")
    return qs.filter(feature_id__in=visible_ids)


def history_for_feature(*, map_obj: Map, user, fid: int, secret: str = "") -> QuerySet[FeatureVersion]:
    """A feature's steps, oldest first. A deleted feature's history is for the map's editors only."""
    versions = FeatureVersion.objects.filter(map=map_obj, feature_id=fid).select_related("actor").order_by("pk")
    feature = Feature.objects.filter(pk=fid, map=map_obj).first()
    if feature is not None:
        feature.map = map_obj
        allowed = feature.can_view(user, secret)
    else:
        allowed = map_obj.can_moderate(user, secret)
    if not allowed or not versions.exists():
        raise Http404
    return versions


def template_list(*, user) -> QuerySet[MapTemplate]:
    qs = MapTemplate.objects.all()
    if not MapTemplate.can_change(user):
        qs = qs.filter(is_active=True)
    return qs


def template_access(*, user, template_id) -> MapTemplate:
    """A map template: the active ones for everyone, inactive ones too for those who may change templates; 404
    otherwise. Whether this person may change it (403) is the service's rule."""
    pk = id_from(template_id)
    template = template_list(user=user).filter(pk=pk).first() if pk is not None else None
    if template is None:
        raise Http404
    return template


def collaborator_access(*, map_obj: Map, user_id) -> MapCollaborator:
    """A collaborator of a map whose management the viewer may see (`map_access(need="manage")` first); 404
    for anyone who is not on the map."""
    pk = id_from(user_id)
    collaborator = (MapCollaborator.objects.select_related("user").filter(map=map_obj, user_id=pk).first()
                    if pk is not None else None)
    if collaborator is None:
        raise Http404
    return collaborator
