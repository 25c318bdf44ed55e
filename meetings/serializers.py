from drf_spectacular.utils import extend_schema_field
from django.urls import reverse
from rest_framework import serializers

from geoplatform.geojson import geometry_geojson
from geoplatform.text import markdown_to_safe_html

from .models import (REQUEST_GUIDE_EN, REQUEST_GUIDE_KO, REQUEST_GUIDE_URL, Committee, CommitteeMember, Disclosure,
                     DisclosureReason, Meeting, MeetingDocument)
from django.utils.translation import gettext_lazy as _


class MeetingFilterSerializer(serializers.Serializer):
    """Query parameters of the meeting list: `q`, `committee`, `department`, `from`, `to`, `disclosure`."""

    q = serializers.CharField(max_length=100, required=False, allow_blank=True)
    committee = serializers.IntegerField(min_value=1, required=False, error_messages={
        "invalid": _("committee is a number.")})
    department = serializers.CharField(max_length=200, required=False, allow_blank=True)
    disclosure = serializers.ChoiceField(choices=Disclosure.values, required=False, error_messages={
        "invalid_choice": _("Use disclosed, partially_disclosed or not_disclosed.")})

    def get_fields(self):
        fields = super().get_fields()
        for name in ("from", "to"):
            fields[name] = serializers.DateField(required=False, error_messages={
                "invalid": _("Use a date like 2025-09-01.")})
        return fields

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError(_("'from' is after 'to'."))
        return {"q": attrs.get("q", ""), "committee": attrs.get("committee"), "department": attrs.get("department", ""),
                "start": attrs.get("from"), "end": attrs.get("to"), "disclosure": attrs.get("disclosure", "")}

    @classmethod
    def parse(cls, query) -> dict:
        """The filters from a query string (blank values ignored); a 400 for bad ones."""
        data = cls(data={key: query.get(key) for key in ("q", "committee", "department", "disclosure", "from", "to")
                         if (query.get(key) or "").strip()})
        data.is_valid(raise_exception=True)
        return data.validated_data


class StatsQuerySerializer(serializers.Serializer):
    interval = serializers.ChoiceField(choices=["year", "month"], required=False, default="year")


class DisclosureReasonSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisclosureReason
        fields = ("code", "title_ko", "title_en", "legal_basis", "description_ko", "description_en")


class MemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitteeMember
        fields = ("name", "role_ko", "role_en", "affiliation")


class CommitteeSerializer(serializers.ModelSerializer):
    members = MemberSerializer(many=True, read_only=True)
    meeting_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Committee
        fields = ("id", "name_ko", "name_en", "department_ko", "department_en", "purpose_ko", "purpose_en",
                  "legal_basis", "is_active", "members", "meeting_count")


class CommitteeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Committee
        fields = ("id", "name_ko", "name_en", "department_ko", "department_en")


def _guide() -> dict:
    return {"text_ko": REQUEST_GUIDE_KO, "text_en": REQUEST_GUIDE_EN, "url": REQUEST_GUIDE_URL}


class MeetingSerializer(serializers.ModelSerializer):
    committee = CommitteeBriefSerializer(read_only=True)
    location = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    minutes_status = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ("id", "title_ko", "title_en", "committee", "starts_at", "ends_at", "place_name", "address",
                  "location", "online_url", "status", "disclosure", "minutes_status", "minutes_publish_at", "url",
                  "page")

    def get_location(self, obj) -> dict | None:
        return geometry_geojson(obj.location)

    def get_status(self, obj) -> str:
        return "upcoming" if obj.is_upcoming else "past"

    def get_minutes_status(self, obj) -> str:
        """`withheld` (undisclosed), `scheduled` (date not reached), `published`, or `none` yet."""
        if obj.disclosure == Disclosure.NOT_DISCLOSED:
            return "withheld"
        if obj.minutes_scheduled:
            return "scheduled"
        return "published" if obj.minutes else "none"

    def get_url(self, obj) -> str:
        return self.context["request"].build_absolute_uri(reverse("meeting-detail", args=[obj.pk]))

    def get_page(self, obj) -> str:
        return self.context["request"].build_absolute_uri(reverse("meeting-page", args=[obj.pk]))


class DocumentSerializer(serializers.ModelSerializer):
    disclosure_reason = DisclosureReasonSerializer(read_only=True)
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingDocument
        fields = ("id", "title", "disclosure", "disclosure_reason", "disclosure_note", "file_url")

    def get_file_url(self, obj) -> str | None:
        if not obj.file_visible:
            return None
        return self.context["request"].build_absolute_uri(
            reverse("meeting-document-file", args=[obj.meeting_id, obj.pk]))


class MeetingDetailSerializer(MeetingSerializer):
    """Minutes and decisions only when visible; a withheld meeting carries its reason and the request guide."""

    committee = CommitteeSerializer(read_only=True)
    minutes = serializers.SerializerMethodField()
    minutes_html = serializers.SerializerMethodField()
    decisions = serializers.SerializerMethodField()
    disclosure_reason = DisclosureReasonSerializer(read_only=True)
    request_guide = serializers.SerializerMethodField()
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta(MeetingSerializer.Meta):
        fields = MeetingSerializer.Meta.fields + (
            "agenda", "minutes", "minutes_html", "decisions", "attendance", "attendance_present", "attendance_total",
            "disclosure_reason", "disclosure_note", "request_guide", "documents", "projects")

    projects = serializers.SerializerMethodField()

    @extend_schema_field({"type": "array", "items": {"type": "object"}})
    def get_projects(self, obj) -> list:
        """The city projects this meeting decided (they cite it)."""
        return [{"id": p.pk, "title_ko": p.title_ko, "title_en": p.title_en, "status": p.status,
                 "progress": p.progress, "url": f"/projects/{p.pk}/"} for p in obj.projects.order_by("pk")]

    def get_minutes(self, obj) -> str | None:
        return obj.minutes if obj.minutes_visible else None

    def get_minutes_html(self, obj) -> str | None:
        return markdown_to_safe_html(obj.minutes) if obj.minutes_visible else None

    def get_decisions(self, obj) -> str | None:
        return obj.decisions if obj.minutes_visible else None

    def get_request_guide(self, obj) -> dict | None:
        withheld = obj.is_withheld or any(d.disclosure != Disclosure.DISCLOSED for d in obj.documents.all())
        return _guide() if withheld else None
