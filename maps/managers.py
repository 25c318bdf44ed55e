"""Chainable reads on maps and features, named for what they mean."""
from django.apps import apps
from django.contrib.gis.db import models
from django.contrib.gis.geos import Polygon
from django.db.models import Exists, OuterRef, Q


class MapQuerySet(models.QuerySet):
    def public(self):
        """Maps anybody may find: public and not hidden by moderation."""
        return self.filter(visibility="public", is_hidden=False)

    def listed_for(self, user):
        """Maps a person sees in lists and search: public ones, plus their own and those they collaborate on.

        Unlisted maps stay out of lists even for someone who knows the link; they are reached by the link.
        """
        if user is None or not user.is_authenticated:
            return self.public()
        mine = Q(owner=user) | Q(collaborators__user=user)
        return self.filter(Q(visibility="public", is_hidden=False) | mine).distinct()

    def search(self, text: str):
        """Case-insensitive substring search on title and description (GIN trigram indexes make it fast for Korean)."""
        text = (text or "").strip()
        if not text:
            return self
        return self.filter(Q(title__icontains=text) | Q(description__icontains=text))

    def with_theme(self, theme: str):
        return self.filter(theme=theme) if theme else self

    def owned_by(self, username: str):
        return self.filter(owner__username=username) if username else self

    def in_bbox(self, bbox: Polygon | None):
        """Maps with at least one published feature in the box, or whose default view centre lies in it."""
        if bbox is None:
            return self
        Feature = apps.get_model("maps", "Feature")
        touching = Feature.objects.filter(map=OuterRef("pk"), geom__intersects=bbox).published()
        return self.filter(Q(Exists(touching)) | Q(center__intersects=bbox))


class FeatureQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status="published", is_hidden=False)

    def pending(self):
        return self.filter(status="pending", is_hidden=False)

    def in_bbox(self, bbox: Polygon | None):
        return self.filter(geom__intersects=bbox) if bbox is not None else self

    def visible_to(self, map_obj, user, secret: str = ""):
        """Features of one map a viewer may see: published ones; pending ones for moderators and their authors.

        The caller has already checked that the viewer may see the map itself.
        """
        qs = self.filter(map=map_obj, is_hidden=False)
        if map_obj.can_moderate(user, secret):
            return qs.filter(status__in=["published", "pending"])
        if user is not None and user.is_authenticated:
            return qs.filter(Q(status="published") | Q(status="pending", author=user))
        return qs.filter(status="published")


class PhotoQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(is_hidden=False)
