"""Citizens' maps: maps, their features and photos, collaborators, per-feature history, templates.

Permission rules live here, on the model, and every door (API views, layers,
exports) asks them: `can_view`, `can_edit`, `can_contribute`, `can_suggest`,
`can_moderate`, `can_manage`.
"""
import hmac
import json
import re
import secrets

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.core.exceptions import ValidationError
from django.db.models.functions import Upper

from accounts.permissions import is_city_staff
from geoplatform.errors import field_error
from geoplatform.text import text_check_storable

from .managers import FeatureQuerySet, MapQuerySet, PhotoQuerySet
from django.utils.translation import gettext_lazy as _

PROPERTIES_MAX_BYTES = getattr(settings, "MAPS_FEATURE_PROPERTIES_MAX_BYTES", 16 * 1024)
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

# The small icon set that templates and categories may use (names the web app maps to glyphs).
ICONS = (
    "marker", "warning", "light", "light-off", "camera", "road", "crossing", "stairs", "slope", "elevator",
    "toilet", "wheelchair", "parking", "bus", "subway", "bike", "car", "water", "flood", "fire", "police",
    "hospital", "pharmacy", "school", "library", "park", "tree", "bench", "food", "cafe", "bar", "shop",
    "market", "landmark", "museum", "temple", "monument", "star", "heart", "info", "people", "child", "dog",
)


class Theme(models.TextChoices):
    SAFETY = "safety", _("Safety")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood")
    FOOD = "food", _("Food")
    HISTORY = "history", _("History")
    ACCESSIBILITY = "accessibility", _("Accessibility")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    UNLISTED = "unlisted", _("Unlisted, by secret link")
    PRIVATE = "private", _("Private")


class ContributionMode(models.TextChoices):
    OWNER = "owner", _("Owner only")
    EDITORS = "editors", _("Owner and editors")
    OPEN = "open", _("Any signed-in citizen")
    MODERATED = "moderated", _("Anyone suggests, editors approve")


def _new_key() -> str:
    return secrets.token_urlsafe(24)


def _key_matches(stored: str, given: str) -> bool:
    return bool(stored) and bool(given) and hmac.compare_digest(stored.encode(), given.encode())


def _storable(value, field: str) -> None:
    try:
        text_check_storable(value)
    except ValidationError as exc:
        raise field_error(field, exc.messages)


def categories_validate(categories) -> None:
    """Categories are [{key, label_ko, label_en, color "#rrggbb", icon from ICONS}], keys unique."""
    if not isinstance(categories, list) or len(categories) > 40:
        raise ValidationError({"categories": _("Categories must be a list of at most 40 items.")})
    _storable(categories, "categories")
    seen = set()
    for item in categories:
        if not isinstance(item, dict):
            raise ValidationError({"categories": _("Each category must be an object.")})
        key = item.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key) or key in seen:
            raise ValidationError({"categories": (_("Category key %(key)s must be unique, lowercase letters, digits or _.") % {"key": repr(key)})})
        seen.add(key)
        for label in ("label_ko", "label_en"):
            if not isinstance(item.get(label), str) or not item[label].strip() or len(item[label]) > 80:
                raise ValidationError({"categories": (_("Category %(key)s: %(label)s is required (up to 80 characters).") % {"key": key, "label": label})})
        if not isinstance(item.get("color"), str) or not COLOR_RE.match(item["color"]):
            raise ValidationError({"categories": (_("Category %(key)s: colour must look like #e4572e.") % {"key": key})})
        if item.get("icon") not in ICONS:
            raise ValidationError({"categories": (_("Category %(key)s: icon must be one of %(value2)s.") % {"key": key, "value2": ', '.join(ICONS)})})


def fields_validate(fields) -> None:
    """Suggested fields are [{key, label_ko, label_en, type in text/number/boolean/choice, choices?}]."""
    if not isinstance(fields, list) or len(fields) > 30:
        raise ValidationError({"suggested_fields": _("Suggested fields must be a list of at most 30 items.")})
    _storable(fields, "suggested_fields")
    seen = set()
    for item in fields:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str) or not KEY_RE.match(item["key"]) or item["key"] in seen:
            raise ValidationError({"suggested_fields": _("Each field needs a unique lowercase key.")})
        seen.add(item["key"])
        if item.get("type") not in ("text", "number", "boolean", "choice"):
            raise ValidationError({"suggested_fields": (_("Field %(key)s: type must be text, number, boolean or choice.") % {"key": item['key']})})
        for label in ("label_ko", "label_en"):
            if not isinstance(item.get(label), str) or not item[label].strip():
                raise ValidationError({"suggested_fields": (_("Field %(key)s: %(label)s is required.") % {"key": item['key'], "label": label})})


class MapTemplate(models.Model):
    """A theme template (the plan's guidelines for designing urban-life maps): categories, colours, icons, fields."""

    slug = models.SlugField(max_length=60, unique=True)
    theme = models.CharField(max_length=20, choices=Theme.choices)
    title_ko = models.CharField(max_length=120)
    title_en = models.CharField(max_length=120)
    description_ko = models.TextField(blank=True, max_length=4000)
    description_en = models.TextField(blank=True, max_length=4000)
    categories = models.JSONField(default=list, blank=True)
    suggested_fields = models.JSONField(default=list, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["theme", "slug"]

    def __str__(self):
        return self.title_en

    def clean(self):
        categories_validate(self.categories)
        fields_validate(self.suggested_fields)

    @staticmethod
    def can_change(user) -> bool:
        return is_city_staff(user)


class Map(models.Model):
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=20_000, help_text="Markdown")
    description_html = models.TextField(blank=True, editable=False)
    theme = models.CharField(max_length=20, choices=Theme.choices, default=Theme.OTHER)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="maps")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC)
    contribution_mode = models.CharField(max_length=10, choices=ContributionMode.choices, default=ContributionMode.OWNER)
    license = models.CharField(max_length=60, default="CC-BY-4.0")
    template = models.ForeignKey(MapTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="maps")
    categories = models.JSONField(default=list, blank=True)
    suggested_fields = models.JSONField(default=list, blank=True)
    center = models.PointField(srid=4326, null=True, blank=True, spatial_index=False)
    zoom = models.PositiveSmallIntegerField(default=12)
    view_key = models.CharField(max_length=64, default=_new_key, editable=False)
    edit_key = models.CharField(max_length=64, blank=True, editable=False)
    is_hidden = models.BooleanField(default=False)
    # The live sequence number: every change a viewer can see raises it by one (see MapEvent).
    revision = models.BigIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MapQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [
            GinIndex(OpClass(Upper("title"), name="gin_trgm_ops"), name="maps_map_title_trgm"),
            GinIndex(OpClass(Upper("description"), name="gin_trgm_ops"), name="maps_map_description_trgm"),
            GistIndex(fields=["center"], name="maps_map_center_gist"),
            models.Index(fields=["visibility", "is_hidden"], name="maps_map_visibility_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def layer_name(self) -> str:
        return f"map-{self.pk}"

    def clean(self):
        categories_validate(self.categories)
        fields_validate(self.suggested_fields)
        if self.zoom > 22:
            raise ValidationError({"zoom": _("Zoom must be between 0 and 22.")})

    def category_keys(self) -> set[str]:
        return {c["key"] for c in self.categories}

    # --- permission rules: one place, many doors --------------------------------------
    def _collaborator_role(self, user) -> str | None:
        if user is None or not user.is_authenticated:
            return None
        cache = getattr(self, "_role_cache", None)
        if cache is None:
            cache = self._role_cache = {}
        if user.pk not in cache:
            cache[user.pk] = self.collaborators.filter(user=user).values_list("role", flat=True).first()
        return cache[user.pk]

    def can_manage(self, user) -> bool:
        """The owner: collaborators, secret links, settings, deletion."""
        return bool(user and user.is_authenticated and user.is_active and user.pk == self.owner_id)

    def _edit_key_ok(self, secret: str) -> bool:
        return (self.visibility != Visibility.PRIVATE and self.contribution_mode != ContributionMode.OWNER
                and _key_matches(self.edit_key, secret))

    def can_view(self, user, secret: str = "") -> bool:
        if self.can_manage(user) or self._collaborator_role(user):
            return True
        if self.is_hidden:
            # Flagged content stays visible to moderators (city staff) unless it is private.
            return self.visibility != Visibility.PRIVATE and is_city_staff(user)
        if self.visibility == Visibility.PUBLIC:
            return True
        if self.visibility == Visibility.UNLISTED:
            return _key_matches(self.view_key, secret) or self._edit_key_ok(secret)
        return False

    def can_edit(self, user, secret: str = "") -> bool:
        """Edit any feature and the map's content (not its sharing settings)."""
        if self.can_manage(user):
            return True
        if self.contribution_mode == ContributionMode.OWNER:
            return False
        if self._collaborator_role(user) == "editor":
            return True
        return self._edit_key_ok(secret)

    def can_contribute(self, user, secret: str = "") -> bool:
        """Add features that show at once."""
        if self.can_edit(user, secret):
            return True
        return (self.contribution_mode == ContributionMode.OPEN and bool(user and user.is_authenticated)
                and self.can_view(user, secret))

    def can_suggest(self, user, secret: str = "") -> bool:
        """Add features that wait for an editor's approval."""
        return (self.contribution_mode == ContributionMode.MODERATED and bool(user and user.is_authenticated)
                and self.can_view(user, secret))

    def can_moderate(self, user, secret: str = "") -> bool:
        """Approve or reject suggestions: the owner and editors."""
        return self.can_edit(user, secret)


class FeatureStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    PENDING = "pending", _("Pending approval")
    REJECTED = "rejected", _("Rejected")


class Feature(models.Model):
    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="features")
    geom = models.GeometryField(srid=4326, spatial_index=False)
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True, max_length=10_000, help_text="Markdown")
    description_html = models.TextField(blank=True, editable=False)
    category = models.CharField(max_length=40, blank=True)
    properties = models.JSONField(default=dict, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="map_features")
    status = models.CharField(max_length=10, choices=FeatureStatus.choices, default=FeatureStatus.PUBLISHED)
    review_note = models.CharField(max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeatureQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        indexes = [
            GistIndex(fields=["geom"], name="maps_feature_geom_gist"),
            models.Index(fields=["map", "status"], name="maps_feature_map_status_idx"),
        ]

    def __str__(self):
        return self.name or f"feature {self.pk}"

    @property
    def etag(self) -> str:
        return f'"f{self.pk}-v{self.version}"'

    def clean(self):
        if self.geom is not None and self.geom.geom_type not in (
                "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"):
            raise ValidationError({"geom": (_("%(geom_type)s is not accepted.") % {"geom_type": self.geom.geom_type})})
        if not isinstance(self.properties, dict):
            raise ValidationError({"properties": _("Properties must be an object.")})
        _storable(self.properties, "properties")
        size = len(json.dumps(self.properties, ensure_ascii=False).encode())
        if size > PROPERTIES_MAX_BYTES:
            raise ValidationError({"properties": (_("Properties are %(size)s bytes; the limit is %(PROPERTIES_MAX_BYTES)s.") % {"PROPERTIES_MAX_BYTES": PROPERTIES_MAX_BYTES, "size": size})})
        if self.category and self.map_id and self.map.categories and self.category not in self.map.category_keys():
            raise ValidationError({"category": (_("Unknown category %(category)s for this map.") % {"category": repr(self.category)})})

    def can_view(self, user, secret: str = "") -> bool:
        if not self.map.can_view(user, secret) or self.is_hidden:
            return False
        if self.status == FeatureStatus.PUBLISHED:
            return True
        is_author = bool(user and user.is_authenticated and user.pk == self.author_id)
        return self.map.can_moderate(user, secret) or is_author

    def can_change(self, user, secret: str = "") -> bool:
        """Edit or delete: editors of the map, or the author while they may still contribute or suggest."""
        if self.map.can_edit(user, secret):
            return True
        is_author = bool(user and user.is_authenticated and user.pk == self.author_id)
        if not is_author:
            return False
        if self.status == FeatureStatus.PENDING:
            return self.map.can_suggest(user, secret)
        return self.status == FeatureStatus.PUBLISHED and self.map.can_contribute(user, secret)


class FeaturePhoto(models.Model):
    feature = models.ForeignKey(Feature, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="maps/photos/%Y/%m/", width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to="maps/photos/%Y/%m/")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    content_type = models.CharField(max_length=40)
    caption = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PhotoQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]


class CollaboratorRole(models.TextChoices):
    EDITOR = "editor", _("Editor")
    VIEWER = "viewer", _("Viewer")


class MapCollaborator(models.Model):
    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="collaborators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="map_collaborations")
    role = models.CharField(max_length=10, choices=CollaboratorRole.choices, default=CollaboratorRole.EDITOR)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["map", "user"], name="maps_collaborator_unique")]


class FeatureAction(models.TextChoices):
    CREATE = "create"
    SUGGEST = "suggest"
    UPDATE = "update"
    DELETE = "delete"
    APPROVE = "approve"
    REJECT = "reject"
    REVERT = "revert"
    IMPORT = "import"


class FeatureVersion(models.Model):
    """One step in a feature's history: who, when, and the feature before and after as GeoJSON.

    `feature_id` is a plain number, not a foreign key, so the history outlives a deleted feature.
    """

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="feature_versions")
    feature_id = models.BigIntegerField(db_index=True)
    version = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=FeatureAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["feature_id", "pk"]
        indexes = [models.Index(fields=["map", "created_at"], name="maps_version_map_time_idx")]


class EventAudience(models.TextChoices):
    EVERYONE = "everyone"  # everyone who may view the map
    MODERATORS = "moderators"  # the map's owner and editors, and `author` (a pending suggestion)


class MapEvent(models.Model):
    """The map's event log: one row per revision, the message live clients got (or missed).

    A reconnecting client names the last revision it saw and is sent the rows after it; rows older
    than MAPS_EVENT_LOG_KEEP revisions are pruned, and a client further behind is told to refetch.
    """

    map = models.ForeignKey(Map, on_delete=models.CASCADE, related_name="events")
    revision = models.BigIntegerField()
    type = models.CharField(max_length=40)
    audience = models.CharField(max_length=12, choices=EventAudience.choices, default=EventAudience.EVERYONE)
    author_id_seen = models.BigIntegerField(null=True, blank=True)  # may see a MODERATORS event too
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["map", "revision"]
        constraints = [models.UniqueConstraint(fields=["map", "revision"], name="maps_event_map_revision_unique")]

    def visible_to(self, *, can_moderate: bool, user_id) -> bool:
        return self.audience == EventAudience.EVERYONE or can_moderate or (
            user_id is not None and user_id == self.author_id_seen)
