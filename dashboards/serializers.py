from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from districts.models import District

from .models import Indicator, IndicatorFeedback, IndicatorImport, Theme
from .selectors import indicator_classes, indicator_latest_period, indicator_table
from django.utils.translation import gettext_lazy as _


@extend_schema_field({"type": "string", "enum": Theme.values}, component_name="IndicatorThemeEnum")
class IndicatorThemeField(serializers.ChoiceField):
    """The indicator's theme, named in the schema apart from the maps' themes."""

    def __init__(self, **kwargs):
        super().__init__(choices=Theme.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": Indicator.Kind.values}, component_name="IndicatorKindEnum")
class IndicatorKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Indicator.Kind.choices, **kwargs)


def _tilejson(request, name):
    from layers.links import tilejson_url

    return tilejson_url(request, name)


class IndicatorSerializer(serializers.ModelSerializer):
    theme = IndicatorThemeField(read_only=True)
    kind = IndicatorKindField(read_only=True)
    layer = serializers.CharField(source="layer_name", read_only=True)
    tilejson = serializers.SerializerMethodField()
    style = serializers.SerializerMethodField()
    data_csv = serializers.SerializerMethodField()
    page = serializers.SerializerMethodField()
    latest_period = serializers.SerializerMethodField()
    feedback_count = serializers.IntegerField(read_only=True, default=0)
    feedback_replied = serializers.IntegerField(read_only=True, default=0)
    source_department = serializers.CharField(source="source_text", read_only=True)

    class Meta:
        model = Indicator
        fields = ("id", "slug", "name_ko", "name_en", "theme", "unit_ko", "unit_en", "source_department",
                  "update_frequency", "definition_ko", "definition_en", "kind", "classification", "last_updated_at",
                  "latest_period", "layer", "tilejson", "style", "data_csv", "page", "feedback_count",
                  "feedback_replied")

    def get_tilejson(self, obj) -> str:
        return _tilejson(self.context["request"], obj.layer_name)

    def get_style(self, obj) -> str:
        return self.context["request"].build_absolute_uri(f"/styles/{obj.layer_name}.json")

    def get_data_csv(self, obj) -> str:
        return self.context["request"].build_absolute_uri(reverse("indicator-data-csv", args=[obj.pk]))

    def get_page(self, obj) -> str:
        return self.context["request"].build_absolute_uri(reverse("dashboard-indicator", args=[obj.slug]))

    def get_latest_period(self, obj) -> str | None:
        return indicator_latest_period(obj)


class IndicatorVersionSerializer(serializers.ModelSerializer):
    class Meta:
        model = IndicatorImport
        fields = ("version", "source", "file_name", "created_at", "rows_total", "rows_imported", "rows_carried",
                  "errors", "note")


class IndicatorDetailSerializer(IndicatorSerializer):
    periods = serializers.SerializerMethodField()
    districts = serializers.SerializerMethodField()
    legend = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField()

    class Meta(IndicatorSerializer.Meta):
        fields = IndicatorSerializer.Meta.fields + ("class_count", "breaks", "higher_is_better", "aggregate", "periods",
                                                    "districts", "legend", "versions")

    def _table(self, obj):
        if not hasattr(obj, "_table_cache"):
            obj._table_cache = indicator_table(indicator=obj)
        return obj._table_cache

    def get_periods(self, obj) -> list[str]:
        return self._table(obj)["periods"]

    def get_districts(self, obj) -> list[dict]:
        return self._table(obj)["districts"]

    def get_legend(self, obj) -> list[dict]:
        periods = self._table(obj)["periods"]
        return indicator_classes(indicator=obj, period=periods[-1] if periods else None)["legend"]

    def get_versions(self, obj) -> list[dict]:
        versions = obj.imports.order_by("-version")[:20]
        return [{"version": v.version, "source": v.source, "created_at": v.created_at, "rows_imported": v.rows_imported,
                 "rows_carried": v.rows_carried, "errors": len(v.errors)} for v in versions]


class IndicatorCreateSerializer(serializers.Serializer):
    slug = serializers.SlugField(max_length=80)
    name_ko = serializers.CharField(max_length=200)
    name_en = serializers.CharField(max_length=200)
    theme = IndicatorThemeField()
    unit_ko = serializers.CharField(max_length=40, required=False, allow_blank=True)
    unit_en = serializers.CharField(max_length=40, required=False, allow_blank=True)
    source_department = serializers.CharField(max_length=200, required=False, allow_blank=True)
    update_frequency = serializers.ChoiceField(choices=Indicator.Frequency.choices, required=False)
    definition_ko = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    definition_en = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    classification = serializers.ChoiceField(choices=Indicator.Classification.choices, required=False)
    class_count = serializers.IntegerField(min_value=2, max_value=7, required=False)
    breaks = serializers.ListField(child=serializers.FloatField(), max_length=6, required=False)
    higher_is_better = serializers.BooleanField(required=False)
    aggregate = serializers.ChoiceField(choices=Indicator.Aggregate.choices, required=False)

    def validate_slug(self, value):
        if Indicator.objects.filter(slug=value).exists():
            raise serializers.ValidationError(_("This slug is taken."))
        return value


class IndicatorImportInputSerializer(serializers.Serializer):
    file = serializers.FileField(error_messages={"required": _("Attach a CSV or XLSX file.")})
    period = serializers.CharField(max_length=10, required=False, allow_blank=True)


class IndicatorFeedbackSerializer(serializers.ModelSerializer):
    """Public feedback: never the author's identity, only whether it is the viewer's own."""

    district_code = serializers.CharField(source="district.code", default=None, read_only=True, allow_null=True)
    district_name_ko = serializers.CharField(source="district.name_ko", default=None, read_only=True, allow_null=True)
    district_name_en = serializers.CharField(source="district.name_en", default=None, read_only=True, allow_null=True)
    is_mine = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorFeedback
        fields = ("id", "rating", "body", "district_code", "district_name_ko", "district_name_en", "created_at",
                  "reply", "replied_at", "is_mine")

    def get_is_mine(self, obj) -> bool:
        user = self.context["request"].user
        return bool(user.is_authenticated and obj.author_id == user.pk)


class IndicatorFeedbackInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    district = serializers.SlugRelatedField(slug_field="code", queryset=District.objects.all(), required=False,
                                            allow_null=True, error_messages={
                                                "does_not_exist": _("Unknown district code.")})


class ReplyInputSerializer(serializers.Serializer):
    reply = serializers.CharField(max_length=4000)
