"""Input and output shapes. Projects go out as GeoJSON features; followers are counted, never named."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geoplatform.geojson import GeoJSONField
from geoplatform.ids import MAX_ID
from districts.serializers import DistrictNameSerializer
from maps.serializers import GeometryInputField

from .models import Project, ProjectStatus, ProjectUpdate, ProjectUpdatePhoto

MAX_BUDGET = 10**15


class CitedItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    title_en = serializers.CharField(allow_blank=True)
    url = serializers.CharField()


class ProjectPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ProjectUpdatePhoto
        fields = ("id", "url", "thumbnail_url", "width", "height")

    def _absolute(self, file) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(file.url) if request else file.url

    def get_url(self, obj) -> str:
        return self._absolute(obj.image)

    def get_thumbnail_url(self, obj) -> str:
        return self._absolute(obj.thumbnail)


class ProjectUpdateSerializer(serializers.ModelSerializer):
    photos = ProjectPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = ProjectUpdate
        fields = ("id", "date", "text_ko", "text_en", "status", "progress", "photos", "created_at")


class ProjectSerializer(GeoFeatureModelSerializer):
    geom = GeoJSONField()
    districts = DistrictNameSerializer(many=True, read_only=True)
    proposals = serializers.SerializerMethodField()
    meetings = serializers.SerializerMethodField()
    reports = serializers.SerializerMethodField()
    follower_count = serializers.IntegerField(read_only=True)
    i_follow = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Project
        geo_field = "geom"
        fields = ("id", "title_ko", "title_en", "description_ko", "description_en", "department_ko", "department_en",
                  "districts", "budget_planned", "budget_spent", "starts_on", "ends_on", "status", "cancel_reason",
                  "progress", "proposals", "meetings", "reports", "follower_count", "i_follow", "url", "created_at", "updated_at")

    @extend_schema_field(CitedItemSerializer(many=True))
    def get_proposals(self, obj):
        return [{"id": p.pk, "title": p.title, "title_en": "", "url": f"/proposals/{p.pk}/"}
                for p in obj.proposals.all()]

    @extend_schema_field(CitedItemSerializer(many=True))
    def get_meetings(self, obj):
        return [{"id": m.pk, "title": m.title_ko, "title_en": m.title_en, "url": f"/meetings/{m.pk}/"}
                for m in obj.meetings.all()]

    @extend_schema_field(CitedItemSerializer(many=True))
    def get_reports(self, obj):
        """Public reports only, by category and id: never who reported them."""
        return [{"id": r.pk, "title": r.category.name_ko, "title_en": r.category.name_en, "url": f"/reports/{r.pk}/"}
                for r in obj.reports.all() if not r.is_hidden]

    def get_url(self, obj) -> str:
        return f"/projects/{obj.pk}/"


class IdListField(serializers.ListField):
    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    max_length = 100


class ProjectInputSerializer(serializers.Serializer):
    """POST: every required field; PATCH (partial): any of them."""

    title_ko = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description_ko = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    description_en = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    department_ko = serializers.CharField(max_length=120)
    department_en = serializers.CharField(max_length=120, required=False, allow_blank=True)
    districts = serializers.ListField(child=serializers.CharField(max_length=5), max_length=25, required=False)
    geometry = GeometryInputField()
    budget_planned = serializers.IntegerField(min_value=0, max_value=MAX_BUDGET, required=False)
    budget_spent = serializers.IntegerField(min_value=0, max_value=MAX_BUDGET, required=False)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)
    cancel_reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False)
    proposals = IdListField(required=False, max_length=100)
    meetings = IdListField(required=False, max_length=100)
    reports = IdListField(required=False, max_length=100)

    def to_internal_value(self, data):
        # A GeoJSON Feature is accepted as well as flat fields (what the list gives out can be sent back).
        if isinstance(data, dict) and data.get("type") == "Feature":
            properties = data.get("properties") if isinstance(data.get("properties"), dict) else {}
            data = {**properties, **({"geometry": data["geometry"]} if "geometry" in data else {})}
        return super().to_internal_value(data)


class ProjectListQuerySerializer(serializers.Serializer):
    district = serializers.CharField(max_length=5, required=False)
    department = serializers.CharField(max_length=120, required=False)
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False)
    proposal = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    meeting = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
    bbox = serializers.CharField(max_length=200, required=False)


class ProjectUpdateInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    text_ko = serializers.CharField(max_length=4000)
    text_en = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    status = serializers.ChoiceField(choices=ProjectStatus.choices, required=False, allow_blank=True, default="")
    progress = serializers.IntegerField(min_value=0, max_value=100, required=False, allow_null=True, default=None)
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=6)


class ProjectFollowSerializer(serializers.Serializer):
    project = serializers.IntegerField()
    following = serializers.BooleanField()
    follower_count = serializers.IntegerField()


class ProjectRollupRowSerializer(serializers.Serializer):
    code = serializers.CharField(required=False)
    name_ko = serializers.CharField(required=False)
    name_en = serializers.CharField(required=False)
    department_ko = serializers.CharField(required=False)
    department_en = serializers.CharField(required=False)
    projects = serializers.IntegerField()
    planned = serializers.IntegerField()
    in_progress = serializers.IntegerField()
    done = serializers.IntegerField()
    cancelled = serializers.IntegerField()
    progress = serializers.IntegerField(allow_null=True, help_text=_("Mean progress of the projects not cancelled."))
    budget_planned = serializers.IntegerField()
    budget_spent = serializers.IntegerField()


class ProjectRollupQuerySerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=[("district", "district"), ("department", "department")], default="district")


class ProjectImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ProjectImportResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.IntegerField())
    errors = ProjectImportRowErrorSerializer(many=True)
    rows = serializers.IntegerField()


class ProjectImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


class NewProjectSerializer(ProjectInputSerializer):
    """A project made from an accepted proposal: its location defaults to the proposal's place."""

    geometry = GeometryInputField(required=False)


class ProposalDecisionInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=[("accepted", "accepted"), ("merged", "merged"), ("declined", "declined")])
    feedback = serializers.CharField(max_length=4000)
    merged_into = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    project = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    new_project = NewProjectSerializer(required=False, allow_null=True)


class ProposalDecisionSerializer(serializers.Serializer):
    proposal = serializers.IntegerField()
    state = serializers.CharField()
    project = serializers.IntegerField(allow_null=True)
