"""Reads on maps: the one access helper, lists, feature pages and history."""
from django.contrib.gis.geos import Polygon
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from .models import Feature, FeatureVersion, Map, MapCollaborator, MapTemplate


def map_get_for(*, user, pk, secret: str = "", for_update: bool = False) -> Map:
    """The map if this viewer may see it; 404 both when it does not exist and when it is not theirs to see."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404
    qs = Map.objects.select_related("owner", "template")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    map_obj = qs.filter(pk=pk).first()
    if map_obj is None or not map_obj.can_view(user, secret):
        raise Http404
    return map_obj


def feature_get_for(*, map_obj: Map, user, fid, secret: str = "", for_update: bool = False) -> Feature:
    """A feature of a map the viewer may see; 404 for missing, hidden or not-yours pending suggestions."""
    try:
        fid = int(fid)
    except (TypeError, ValueError):
        raise Http404
    qs = Feature.objects.select_related("author")
    if for_update:
        qs = qs.select_for_update(of=("self",))
    feature = qs.filter(pk=fid, map=map_obj).first()
    if feature is None:
        raise Http404
    feature.map = map_obj
    if not feature.can_view(user, secret):
        raise Http404
    return feature


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
