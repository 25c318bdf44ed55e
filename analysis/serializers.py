from rest_framework import serializers
from rest_framework.reverse import reverse

from geoplatform.messages import reader_legend
from layers.links import tilejson_url

from .messages import value_label_text
from .models import Analysis, AnalysisOutput, Method

EXPORT_FORMATS = {"vector": ("csv", "gpkg", "geojson"), "raster": ("tif",)}


class AnalysisOutputSerializer(serializers.ModelSerializer):
    layer = serializers.CharField(source="layer_name", read_only=True)
    tilejson = serializers.SerializerMethodField()
    tiles = serializers.SerializerMethodField(help_text="raster outputs: PNG tile URL template")
    exports = serializers.SerializerMethodField()
    value_label = serializers.SerializerMethodField(help_text="what `value` means, in the reader's language")
    legend = serializers.SerializerMethodField(help_text="classes: value or min/max, colour, `label` in the reader's language")

    class Meta:
        model = AnalysisOutput
        fields = ("id", "key", "kind", "layer", "title_ko", "title_en", "value_label", "geometry_type", "legend",
                  "stats", "tilejson", "tiles", "exports")

    def get_legend(self, output) -> list[dict]:
        return [{**entry, "label": str(entry["label"])} if "label" in entry else entry
                for entry in reader_legend(output.legend)]

    def get_value_label(self, output) -> str:
        return value_label_text(output.value_label)

    def get_tilejson(self, output) -> str | None:
        request = self.context["request"]
        return tilejson_url(request, output.layer_name)

    def get_tiles(self, output) -> str | None:
        if output.kind != AnalysisOutput.Kind.RASTER:
            return None
        request = self.context["request"]
        return request.build_absolute_uri(f"/tiles/{output.layer_name}/") + "{z}/{x}/{y}.png"

    def get_exports(self, output) -> dict:
        request = self.context["request"]
        return {fmt: reverse("analysis-output-export", request=request,
                             kwargs={"pk": output.analysis_id, "output_id": output.pk, "fmt": fmt})
                for fmt in EXPORT_FORMATS[output.kind]}


class AnalysisSerializer(serializers.ModelSerializer):
    created_by = serializers.SerializerMethodField()
    created_by_official = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    job = serializers.UUIDField(source="job_id", read_only=True, allow_null=True)
    outputs = serializers.SerializerMethodField()
    url = serializers.HyperlinkedIdentityField(view_name="analysis-detail")
    page = serializers.SerializerMethodField()

    class Meta:
        model = Analysis
        fields = ("id", "url", "page", "name", "description", "method", "parameters", "sources", "caveats",
                  "status", "progress", "error", "job", "fingerprint", "is_published", "published_at",
                  "withdrawn_at", "created_by", "created_by_official", "created_at", "ran_at", "outputs")

    def get_created_by_official(self, analysis) -> bool:
        """The official badge beside the name: by role, never by the name chosen."""
        return bool(analysis.created_by and analysis.created_by.is_official)

    def get_created_by(self, analysis) -> str | None:
        user = analysis.created_by
        if user is None or user.anonymised_at:
            return None
        return str(user)

    def get_progress(self, analysis) -> int:
        if analysis.status == Analysis.Status.SUCCEEDED:
            return 100
        return analysis.job.percent if analysis.job_id else 0

    def get_page(self, analysis) -> str:
        return self.context["request"].build_absolute_uri(f"/analysis/{analysis.pk}/")

    def get_outputs(self, analysis) -> list:
        return AnalysisOutputSerializer(analysis.outputs.all(), many=True, context=self.context).data


class AnalysisCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    caveats = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    method = serializers.ChoiceField(choices=Method.choices)
    parameters = serializers.JSONField(required=False, default=dict)


class AnalysisUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    caveats = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    method = serializers.ChoiceField(choices=Method.choices, required=False)
    parameters = serializers.JSONField(required=False)


class AnalysisPublishSerializer(serializers.Serializer):
    published = serializers.BooleanField(default=True)
