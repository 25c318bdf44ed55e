"""Input and output shapes of the maps API. Output never shows who a pending suggestion's author is to
others, nor any e-mail; names of deleted accounts are empty."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geoplatform.geojson import POINT_SCHEMA, GeoJSONField, geometry_geojson
from geoplatform.geometry import ALLOWED_TYPES, geometry_parse
from layers.links import tilejson_url
from layers.query import request_secret

from .models import (CollaboratorRole, ContributionMode, Feature, FeaturePhoto, FeatureVersion, Map, MapCollaborator, MapTemplate,
                     Theme, Visibility)
from django.utils.translation import gettext_lazy as _


def _name(user) -> str:
    return user.public_name if user is not None else ""


def _official(user) -> bool:
    """The official badge: by role (accounts.User.is_official), never by the name someone chose."""
    return bool(user is not None and user.is_official)


class GeoJSONGeometryField(serializers.Field):
    """A GeoJSON geometry in, read by the shared policy (type, positions, vertex limit); a GEOSGeometry out
    to the service, which judges its validity (`geometry_check`), so that it is checked once on its path."""

    default_error_messages = {"invalid": _("Send a GeoJSON geometry object.")}
    geometry_types = ALLOWED_TYPES

    def to_internal_value(self, data):
        try:
            return geometry_parse(data, allowed_types=self.geometry_types)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages)

    def to_representation(self, value):
        return geometry_geojson(value)


@extend_schema_field({"type": "object", "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
                      "required": ["type", "coordinates"]})
class GeometryInputField(GeoJSONGeometryField):
    pass


@extend_schema_field({"type": "object", "properties": {"type": {"type": "string", "enum": ["Point"]},
                                                        "coordinates": {"type": "array", "items": {"type": "number"}}}})
class PointInputField(GeoJSONGeometryField):
    geometry_types = ("Point",)  # a point read in range is valid: nothing is left to check


# --- templates ------------------------------------------------------------------------------------------
class TemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = MapTemplate
        fields = ("id", "slug", "theme", "title_ko", "title_en", "description_ko", "description_en", "categories",
                  "suggested_fields", "is_active", "updated_at")
        read_only_fields = ("id", "updated_at")
        extra_kwargs = {"slug": {"validators": []}}


# --- maps ----------------------------------------------------------------------------------------------
class MapOutputSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    owner_official = serializers.SerializerMethodField()
    center = serializers.SerializerMethodField()
    layer = serializers.CharField(source="layer_name", read_only=True)
    tilejson = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    features_url = serializers.SerializerMethodField()
    feature_count = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()
    template = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)

    class Meta:
        model = Map
        fields = ("id", "url", "title", "description", "description_html", "theme", "owner", "visibility",
                  "contribution_mode", "license", "template", "categories", "suggested_fields", "center", "zoom",
                  "owner_official", "layer", "tilejson", "features_url", "feature_count", "permissions", "created_at", "updated_at")

    def _request(self):
        return self.context.get("request")

    def _secret(self):
        request = self._request()
        return request_secret(request)

    def get_owner(self, obj) -> str:
        return _name(obj.owner)

    def get_owner_official(self, obj) -> bool:
        return _official(obj.owner)

    @extend_schema_field({**POINT_SCHEMA, "nullable": True})
    def get_center(self, obj):
        return geometry_geojson(obj.center)

    def get_tilejson(self, obj) -> str:
        return tilejson_url(self._request(), obj.layer_name)

    def get_url(self, obj) -> str:
        request = self._request()
        path = reverse("map-detail", args=[obj.pk])
        return request.build_absolute_uri(path) if request else path

    def get_features_url(self, obj) -> str:
        request = self._request()
        path = reverse("map-feature-list", args=[obj.pk])
        return request.build_absolute_uri(path) if request else path

    def get_feature_count(self, obj) -> int:
        count = getattr(obj, "feature_count", None)
        return count if count is not None else obj.features.published().count()

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_permissions(self, obj) -> dict:
        request = self._request()
        user = request.user if request is not None else None
        secret = self._secret()
        if hasattr(obj, "viewer_role") and user is not None and user.is_authenticated:
            obj._role_cache = {user.pk: obj.viewer_role}  # annotated by the list selector: no query per map
        return {"edit": obj.can_edit(user, secret), "contribute": obj.can_contribute(user, secret),
                "suggest": obj.can_suggest(user, secret), "moderate": obj.can_moderate(user, secret),
                "manage": obj.can_manage(user)}


class MapInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=20_000, required=False, allow_blank=True)
    theme = serializers.ChoiceField(choices=Theme.choices, required=False)
    visibility = serializers.ChoiceField(choices=Visibility.choices, required=False)
    contribution_mode = serializers.ChoiceField(choices=ContributionMode.choices, required=False)
    license = serializers.CharField(max_length=60, required=False)
    template = serializers.SlugRelatedField(slug_field="slug", queryset=MapTemplate.objects.filter(is_active=True),
                                            required=False, allow_null=True)
    categories = serializers.JSONField(required=False)
    suggested_fields = serializers.JSONField(required=False)
    center = PointInputField(required=False, allow_null=True)
    zoom = serializers.IntegerField(min_value=0, max_value=22, required=False)


class MapUpdateSerializer(MapInputSerializer):
    title = serializers.CharField(max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("template")


class MapListQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    theme = serializers.ChoiceField(choices=Theme.choices, required=False)
    owner = serializers.CharField(required=False, max_length=150)
    bbox = serializers.CharField(required=False)


class SecretLinksSerializer(serializers.Serializer):
    view_key = serializers.CharField()
    edit_key = serializers.CharField()
    view_url = serializers.CharField()
    edit_url = serializers.CharField()


class SecretLinkActionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("view", "view"), ("edit", "edit")])


# --- collaborators ---------------------------------------------------------------------------------------
class CollaboratorSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.SerializerMethodField()
    user_id = serializers.IntegerField(source="user.pk", read_only=True)

    class Meta:
        model = MapCollaborator
        fields = ("user_id", "username", "name", "role", "created_at")

    def get_name(self, obj) -> str:
        return _name(obj.user)


class CollaboratorInputSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=CollaboratorRole.choices, default=CollaboratorRole.EDITOR)

    def validate_username(self, value):
        user = get_user_model().objects.filter(username=value, is_active=True).first()
        if user is None:
            raise serializers.ValidationError(_("No active account with this username."))
        return user


class CollaboratorRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=CollaboratorRole.choices)


# --- features ----------------------------------------------------------------------------------------------
class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = FeaturePhoto
        fields = ("id", "url", "thumbnail_url", "width", "height", "content_type", "caption", "created_at")

    def _link(self, obj, thumb: bool) -> str:
        request = self.context.get("request")
        path = reverse("map-feature-photo-file", args=[obj.feature.map_id, obj.feature_id, obj.pk])
        query = []
        if thumb:
            query.append("size=thumb")
        key = request_secret(request)
        if key:
            query.append(f"key={key}")
        path = f"{path}?{'&'.join(query)}" if query else path
        return request.build_absolute_uri(path) if request else path

    def get_url(self, obj) -> str:
        return self._link(obj, False)

    def get_thumbnail_url(self, obj) -> str:
        return self._link(obj, True)


class FeatureOutputSerializer(GeoFeatureModelSerializer):
    geom = GeoJSONField()
    author = serializers.SerializerMethodField()
    author_official = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = Feature
        geo_field = "geom"
        fields = ("id", "name", "description", "description_html", "category", "properties", "status",
                  "review_note", "version", "author", "author_official", "photos", "created_at", "updated_at")

    def get_author(self, obj) -> str:
        return _name(obj.author)

    def get_author_official(self, obj) -> bool:
        return _official(obj.author)

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, obj):
        photos = [p for p in obj.photos.all() if not p.is_hidden]
        return PhotoSerializer(photos, many=True, context=self.context).data


class FeatureInputSerializer(serializers.Serializer):
    geometry = GeometryInputField(source="geom")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    category = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    properties = serializers.DictField(required=False, default=dict)

    def to_internal_value(self, data):
        # Accept a GeoJSON Feature (type Feature, geometry, properties {name, …}) as well as flat fields.
        if isinstance(data, dict) and data.get("type") == "Feature":
            props = data.get("properties") if isinstance(data.get("properties"), dict) else {}
            flat = {"geometry": data.get("geometry")}
            for key in ("name", "description", "category"):
                if key in props:
                    flat[key] = props[key]
            flat["properties"] = props.get("properties", {k: v for k, v in props.items()
                                                           if k not in ("name", "description", "category", "version")})
            if "version" in props:
                flat["version"] = props["version"]
            data = flat
        return super().to_internal_value(data)


class FeatureUpdateSerializer(FeatureInputSerializer):
    geometry = GeometryInputField(source="geom", required=False)
    name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description = serializers.CharField(max_length=10_000, required=False, allow_blank=True)
    category = serializers.CharField(max_length=40, required=False, allow_blank=True)
    properties = serializers.DictField(required=False)
    version = serializers.IntegerField(required=False, min_value=1,
                                       help_text="The version this edit is based on (or send If-Match with the ETag).")


class FeatureListQuerySerializer(serializers.Serializer):
    bbox = serializers.CharField(required=False)
    category = serializers.CharField(required=False, max_length=40)
    status = serializers.ChoiceField(choices=[("published", "published"), ("pending", "pending")], required=False)


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[("approve", "approve"), ("reject", "reject")])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RevertSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)


class PhotoInputSerializer(serializers.Serializer):
    image = serializers.FileField()
    caption = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class VersionSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = FeatureVersion
        fields = ("id", "feature_id", "version", "action", "actor", "before", "after", "created_at")

    def get_actor(self, obj) -> str:
        return _name(obj.actor)


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    format = serializers.ChoiceField(choices=[(f, f) for f in ("geojson", "kml", "gpx", "csv", "shp", "gpkg")],
                                     required=False)
    srid = serializers.IntegerField(required=False, min_value=1024, max_value=999_999,
                                    help_text="EPSG code of a CSV's coordinates (default 4326)")
