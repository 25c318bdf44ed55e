from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geoplatform.geojson import GeoJSONField

from .models import District


class DistrictSerializer(GeoFeatureModelSerializer):
    geom = GeoJSONField()

    class Meta:
        model = District
        geo_field = "geom"
        fields = ("code", "kostat_code", "name_ko", "name_en", "population", "households")
        id_field = "code"


class DistrictLookupQuerySerializer(serializers.Serializer):
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)

    def validate(self, attrs):
        if ("lon" in attrs) != ("lat" in attrs):
            raise serializers.ValidationError(_("Give both lon and lat, or neither."))
        return attrs


class PlaceQuerySerializer(serializers.Serializer):
    """A point (`lon`, `lat`) or a GeoJSON geometry (`geometry`, e.g. a reported street or area)."""

    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    geometry = serializers.CharField(required=False, max_length=200_000)

    def validate(self, attrs):
        from django.contrib.gis.geos import Point

        from geoplatform.geometry import geometry_from_geojson

        if "geometry" in attrs:
            try:
                attrs["geom"] = geometry_from_geojson(attrs["geometry"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"geometry": exc.messages})
        elif "lon" in attrs and "lat" in attrs:
            attrs["geom"] = Point(attrs["lon"], attrs["lat"], srid=4326)
        else:
            raise serializers.ValidationError(_("Give lon and lat, or a geometry."))
        return attrs


class DistrictNameSerializer(serializers.Serializer):
    """A district named in another object's answer (a report's, a project's): its code and names."""

    code = serializers.CharField()
    name_ko = serializers.CharField()
    name_en = serializers.CharField()


class NamedPlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class StationSerializer(serializers.Serializer):
    name = serializers.CharField()
    line = serializers.CharField()
    distance_m = serializers.IntegerField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()


class PlaceSerializer(serializers.Serializer):
    """Where a place is, in the reader's language."""

    dong = NamedPlaceSerializer(allow_null=True)
    district = NamedPlaceSerializer(allow_null=True)
    receiving = NamedPlaceSerializer(many=True, help_text="the district office(s) a report here goes to")
    station = StationSerializer(allow_null=True, help_text="the nearest subway station within 3 km")
    in_seoul = serializers.BooleanField()
