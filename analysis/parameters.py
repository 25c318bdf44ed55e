"""Parameters of each method, validated before anything is stored or run."""
from django.utils.translation import gettext, gettext_lazy
from rest_framework import serializers
from rest_framework.settings import api_settings

from .models import Method

UNITS = ("district", "dong", "hex")


class _Base(serializers.Serializer):
    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError(
                {api_settings.NON_FIELD_ERRORS_KEY: [gettext("Parameters must be an object")]})
        unknown = sorted(set(data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: gettext("Unknown parameter") for name in unknown})
        return super().to_internal_value(data)


def _hex_size(default):
    return serializers.IntegerField(
        min_value=100, max_value=5000, default=default,
        error_messages={"min_value": gettext_lazy("Hex cells must be at least 100 m"),
                        "max_value": gettext_lazy("Hex cells must be at most 5,000 m")},
    )


class _Source(_Base):
    source = serializers.CharField(max_length=120, help_text="layer name from the registry")


class AggregationParameters(_Source):
    unit = serializers.ChoiceField(choices=UNITS, default="hex")
    hex_size_m = _hex_size(1000)
    measure = serializers.ChoiceField(choices=("count", "per_population", "per_km2"), default="count")
    per = serializers.IntegerField(min_value=1, max_value=1_000_000, default=10_000,
                                   help_text="per_population: residents per which the rate is given")

    def validate(self, attrs):
        if attrs["measure"] == "per_population" and attrs["unit"] == "hex":
            raise serializers.ValidationError(
                {"measure": gettext("Resident counts exist per district and dong, not per hex cell")})
        return attrs


class HotspotParameters(_Source):
    bandwidth_m = serializers.IntegerField(min_value=100, max_value=5000, default=500)
    cell_size_m = serializers.IntegerField(min_value=25, max_value=1000, default=100)
    hex_size_m = _hex_size(500)
    classes = serializers.IntegerField(min_value=2, max_value=7, default=5)

    def validate(self, attrs):
        if attrs["cell_size_m"] * 2 > attrs["bandwidth_m"]:
            raise serializers.ValidationError(
                {"cell_size_m": gettext("The raster cell must be at most half the bandwidth")})
        return attrs


class CoverageParameters(_Source):
    hex_size_m = _hex_size(500)
    threshold_m = serializers.IntegerField(min_value=50, max_value=20_000, default=500,
                                           help_text="cells farther than this from a facility are under-served")


class Period(_Base):
    start = serializers.DateField()
    end = serializers.DateField()

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError(gettext("A period ends after it starts"))
        return attrs


class ComparisonParameters(_Source):
    unit = serializers.ChoiceField(choices=UNITS, default="district")
    hex_size_m = _hex_size(1000)
    before = Period()
    after = Period()


METHOD_PARAMETERS = {
    Method.AGGREGATION: AggregationParameters,
    Method.HOTSPOT: HotspotParameters,
    Method.COVERAGE: CoverageParameters,
    Method.COMPARISON: ComparisonParameters,
}


def parameters_clean(method: str, parameters) -> dict:
    """Validated parameters with defaults filled in, as JSON-ready values (dates as ISO strings)."""
    serializer = METHOD_PARAMETERS[method](data=parameters if parameters is not None else {})
    serializer.is_valid(raise_exception=True)
    return _jsonable(serializer.validated_data)


def _jsonable(value):
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
