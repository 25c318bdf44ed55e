"""Input checks and output shapes. Public shapes name their fields explicitly and never carry the reporter."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.permissions import is_city_staff
from districts.serializers import DistrictNameSerializer
from geoplatform.geojson import GEOMETRY_SCHEMA, feature, geometry_geojson
from geoplatform.geometry import geometry_parse
from geoplatform.messages import render
from geoplatform.ids import MAX_ID
from layers.query import bbox_parse


from .models import ContactPreference, Open311Key, Report, ReportCategory, ReportEvent, Status
from .selectors import report_is_overdue
from django.utils.translation import gettext_lazy as _


def parse_geometry(value, field: str = "geometry"):
    try:
        return geometry_parse(value)  # report_create checks it
    except DjangoValidationError as exc:
        raise serializers.ValidationError({field: exc.messages})


# --- categories ---------------------------------------------------------------------------------------
class ReportCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportCategory
        fields = ("id", "code", "name_ko", "name_en", "description_ko", "description_en", "responsible_body_ko",
                  "responsible_body_en", "is_sensitive", "acknowledge_days", "resolve_days", "is_active", "position")
        read_only_fields = ("id",)


# --- reports: input -------------------------------------------------------------------------------------
def category_by_key(key) -> ReportCategory:
    category = None
    if isinstance(key, str) and key:
        category = ReportCategory.objects.filter(code=key).first()
        if category is None and key.isdigit():
            category = ReportCategory.objects.filter(pk=int(key)).first()
    elif isinstance(key, int) and not isinstance(key, bool):
        category = ReportCategory.objects.filter(pk=key).first()
    if category is None:  # an inactive one is refused by report_create
        raise serializers.ValidationError(
            {"category": [(_("Unknown report category %(key)s; see /api/reports/categories/.") % {"key": repr(key)})]})
    return category


class ReportCreateSerializer(serializers.Serializer):
    """A GeoJSON Feature: geometry (point, line or polygon) and properties `category`, `description`.

    The properties may also be given at the top level, next to `geometry`.
    """

    type = serializers.ChoiceField(choices=["Feature"], required=False)
    geometry = serializers.JSONField()
    properties = serializers.DictField(required=False)
    category = serializers.CharField(required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    contact_preference = serializers.ChoiceField(choices=ContactPreference.values, required=False)
    description_public = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        props = attrs.get("properties") or {}
        if not isinstance(props, dict):
            raise serializers.ValidationError({"properties": [_("Properties must be an object.")]})
        category_key = props.get("category", attrs.get("category"))
        if category_key in (None, ""):
            raise serializers.ValidationError({"category": [_("Choose a category.")]})
        description = props.get("description", attrs.get("description", ""))
        if not isinstance(description, str) or len(description) > 2000:
            raise serializers.ValidationError(
                {"description": [_("The description must be text of at most 2000 characters.")]})
        contact = props.get("contact_preference", attrs.get("contact_preference", ContactPreference.EMAIL))
        if contact not in ContactPreference.values:
            raise serializers.ValidationError(
                {"contact_preference": [(_("Use one of %(value1)s.") % {"value1": ', '.join(ContactPreference.values)})]})
        return {
            "category": category_by_key(category_key),
            "geom": parse_geometry(attrs["geometry"]),
            "description": description,
            "contact_preference": contact,
            # Private unless the reporter chooses to publish it; never public in sensitive categories.
            "description_public": bool(props.get("description_public", attrs.get("description_public", False)) is True),
        }


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.values, error_messages={
        "invalid_choice": (_("Unknown status; use one of %(value1)s.") % {"value1": ', '.join(Status.values)})})
    message = serializers.CharField(max_length=2000, allow_blank=True)
    districts = serializers.ListField(child=serializers.CharField(max_length=5), required=False, allow_empty=False)
    duplicate_of = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    responsible_body = serializers.CharField(required=False, allow_blank=True, max_length=200)


class TransferSerializer(serializers.Serializer):
    to_district = serializers.CharField(max_length=5)
    from_district = serializers.CharField(max_length=5, required=False)
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, allow_blank=True)


class NoteOutputSerializer(serializers.Serializer):
    """An internal note (a `note` timeline entry): for the report's officers and city staff only."""

    id = serializers.IntegerField(source="pk")
    note = serializers.CharField(source="message")
    actor = serializers.SerializerMethodField()
    actor_official = serializers.SerializerMethodField()
    created_at = serializers.SerializerMethodField()

    def get_actor(self, event) -> str | None:
        return event.actor.public_name if event.actor else None

    def get_actor_official(self, event) -> bool:
        return bool(event.actor and event.actor.is_official)

    def get_created_at(self, event) -> str:
        return event.created_at.isoformat()


class BulkAcknowledgeSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID), min_length=1,
                                max_length=200)
    message = serializers.CharField(max_length=2000, allow_blank=True, required=False, default="")


class PhotoUploadSerializer(serializers.Serializer):
    image = serializers.FileField()


class ReportQuerySerializer(serializers.Serializer):
    queue = serializers.ChoiceField(choices=["mine"], required=False)
    mine = serializers.BooleanField(required=False, default=False)
    status = serializers.CharField(required=False)
    category = serializers.CharField(required=False)
    overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
    bbox = serializers.CharField(required=False)

    def validate_status(self, value):
        statuses = [s for s in value.split(",") if s]
        unknown = set(statuses) - set(Status.values)
        if unknown:
            raise serializers.ValidationError(
                (_("Unknown status %(value1)s; use %(value2)s.") % {"value1": ', '.join(sorted(unknown)), "value2": ', '.join(Status.values)}))
        return statuses

    def validate_category(self, value):
        return [c for c in value.split(",") if c]

    def validate_bbox(self, value):
        try:
            return bbox_parse(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages)


# --- reports: output -------------------------------------------------------------------------------------
def _photo(request, photo) -> dict:
    def url(field):
        return request.build_absolute_uri(field.url) if request else field.url

    return {"url": url(photo.image), "thumbnail_url": url(photo.thumbnail), "width": photo.width,
            "height": photo.height}


def _district(d) -> dict | None:
    return None if d is None else {"code": d.code, "name_ko": d.name_ko, "name_en": d.name_en}


@extend_schema_field({"type": "string", "enum": ["Feature"]})
class FeatureTypeField(serializers.CharField):
    pass


@extend_schema_field(GEOMETRY_SCHEMA)
class GeometryOutputField(serializers.JSONField):
    pass


class ReportPhotoOutputSerializer(serializers.Serializer):
    url = serializers.URLField()
    thumbnail_url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class ReportDistrictOutputSerializer(DistrictNameSerializer):
    status = serializers.ChoiceField(choices=Status.choices, help_text="this district's own status")
    answer = serializers.CharField(allow_blank=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True, required=False, help_text="who may see it in full")
    closed_at = serializers.DateTimeField(allow_null=True, required=False, help_text="who may see it in full")


class ReporterOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    official = serializers.BooleanField()


class ReportPropertiesOutputSerializer(serializers.Serializer):
    """A report's properties. Keys not every reader gets are not required: the full view's (the reporter, its
    officers, city staff), who reported (the reporter, city staff) and one report's timeline and projects."""

    category = serializers.CharField()
    category_name_ko = serializers.CharField()
    category_name_en = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    created_on = serializers.DateField()
    districts = ReportDistrictOutputSerializer(many=True)
    duplicate_of = serializers.IntegerField(allow_null=True)
    responsible_body = serializers.CharField(allow_blank=True)
    coarsened = serializers.BooleanField(help_text="a sensitive category: the geometry is coarsened")
    overdue = serializers.BooleanField()
    mine = serializers.BooleanField(help_text="the reader reported it")
    photos = ReportPhotoOutputSerializer(many=True)
    description = serializers.CharField(required=False, help_text="when its reporter published it, or for the full view")
    public_geometry = GeometryOutputField(required=False, help_text="full view: what the public sees")
    created_at = serializers.DateTimeField(required=False)
    updated_at = serializers.DateTimeField(required=False)
    acknowledge_due = serializers.DateTimeField(required=False)
    resolve_due = serializers.DateTimeField(required=False)
    is_hidden = serializers.BooleanField(required=False)
    channel = serializers.CharField(required=False)
    description_public = serializers.BooleanField(required=False)
    reporter = ReporterOutputSerializer(required=False, allow_null=True, help_text="the reporter and city staff")
    contact_preference = serializers.ChoiceField(choices=ContactPreference.choices, required=False)
    timeline = serializers.ListField(child=serializers.DictField(), required=False, help_text="one report's answer")
    projects = serializers.ListField(child=serializers.DictField(), required=False,
                                     help_text="one report's answer: the city projects that cite it")


class ReportFeatureOutputSerializer(serializers.Serializer):
    """A report as a GeoJSON Feature, shaped for who is looking. (Written by `ReportFeatureSerializer`;
    tests/core/test_list_envelope.py checks the two agree.)"""

    type = FeatureTypeField()
    id = serializers.IntegerField()
    geometry = GeometryOutputField(help_text="the exact point for the full view, else the public (maybe coarsened) one")
    properties = ReportPropertiesOutputSerializer()


class ReportFeatureSerializer(serializers.BaseSerializer):
    """A report as a GeoJSON Feature, shaped for who is looking.

    Everybody: public fields (category, status, the day it was made, districts with their answers, the
    description only if its reporter published it) and the public geometry; never the reporter. For a
    sensitive category the geometry is coarsened, `districts` is the coarse point's district (never the
    routing districts: they would tell the side of a boundary) and the timeline names no district.
    docs/privacy.md lists these fields per path; tests/reports/test_privacy_doc.py checks the two agree.
    The reporter, its officers and city staff: also the exact geometry, times, due dates and photos of
    sensitive reports. City staff and the reporter: who reported (staff need it for bans).
    With `detail=True` in the context: the timeline (internal notes for officers and staff only).
    """

    def to_representation(self, report: Report) -> dict:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        full = report.can_view_full(user)
        props = {
            "category": report.category.code,
            "category_name_ko": report.category.name_ko,
            "category_name_en": report.category.name_en,
            "status": report.status,
            "created_on": report.created_on.isoformat(),
            "districts": [{**_district(d["district"]), "status": d["status"], "answer": d["answer"]}
                          for d in report.public_districts(user)],
            "duplicate_of": report.duplicate_of_id,
            "responsible_body": report.responsible_body,
            "coarsened": report.category.is_sensitive,
            "overdue": report_is_overdue(report),
            "mine": report.is_reporter(user),
            "photos": [_photo(request, p) for p in report.photos.all()]
            if full or not report.category.is_sensitive else [],
        }
        if report.shows_description(user):
            props["description"] = report.description
        geometry = report.public_geom
        if full:
            geometry = report.geom
            props.update({
                "public_geometry": geometry_geojson(report.public_geom),
                "created_at": report.created_at.isoformat(),
                "updated_at": report.updated_at.isoformat(),
                "acknowledge_due": report.acknowledge_due.isoformat(),
                "resolve_due": report.resolve_due.isoformat(),
                "is_hidden": report.is_hidden,
                "channel": report.channel,
                "description_public": report.description_public,
            })
            for rd, out in zip(report.report_districts.all(), props["districts"]):
                out["acknowledged_at"] = rd.acknowledged_at.isoformat() if rd.acknowledged_at else None
                out["closed_at"] = rd.closed_at.isoformat() if rd.closed_at else None
        if report.is_reporter(user) or (is_city_staff(user)):
            reporter = report.reporter
            props["reporter"] = ({"id": reporter.pk, "name": reporter.public_name, "official": reporter.is_official}
                                 if reporter else None)
            props["contact_preference"] = report.contact_preference
        if self.context.get("detail"):
            props["timeline"] = [self._event(e, user, report) for e in self.context["timeline"]]
            # the city projects that cite this report as one they resolve
            props["projects"] = [{"id": p.pk, "title_ko": p.title_ko, "title_en": p.title_en, "status": p.status,
                                  "progress": p.progress, "url": f"/projects/{p.pk}/"}
                                 for p in report.projects.order_by("pk")]
        return feature(geometry, props, id=report.pk)

    @staticmethod
    def _event(event, user, report) -> dict:
        out = {
            "kind": event.kind,
            "from_status": event.from_status,
            "to_status": event.to_status,
            # the system's own words are stored as a message and read in the reader's language;
            # an officer's message is shown as written
            "message": render(event.data["message"]) if (event.data or {}).get("message") else event.message,
            "district": _district(event.district),
            "to_district": _district(event.to_district),
            "date": timezone.localdate(event.created_at).isoformat(),
        }
        if report.category.is_sensitive and not report.can_view_full(user):
            # The routing districts are what coarsening hides: no district names, and the created event's
            # generated text ("Sent to …") gives way to the coarse district the public sees.
            out["district"] = out["to_district"] = None
            if event.kind == ReportEvent.Kind.CREATED:
                out["message"] = ""
        if report.can_see_internal(user):
            out["created_at"] = event.created_at.isoformat()
            out["actor"] = event.actor.public_name if event.actor else None
            out["actor_official"] = bool(event.actor and event.actor.is_official)  # the badge, by role
        elif report.can_view_full(user):
            out["created_at"] = event.created_at.isoformat()
        return out


# --- Open311 keys ----------------------------------------------------------------------------------------
class Open311KeyInputSerializer(serializers.Serializer):
    label = serializers.CharField(required=False, allow_blank=True, max_length=80, default="")


class Open311KeySerializer(serializers.ModelSerializer):
    class Meta:
        model = Open311Key
        fields = ("id", "label", "hint", "created_at", "revoked_at")
        read_only_fields = fields


class Open311KeyIssuedSerializer(Open311KeySerializer):
    key = serializers.CharField(read_only=True, help_text="shown this once; send it as X-Api-Key or api_key in the body")

    class Meta(Open311KeySerializer.Meta):
        fields = ("id", "label", "hint", "created_at", "revoked_at", "key")
        read_only_fields = fields
