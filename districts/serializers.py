from rest_framework import serializers
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from .models import District


class DistrictSerializer(GeoFeatureModelSerializer):
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
            raise serializers.ValidationError("Give both lon and lat, or neither. / lon과 lat을 함께 주세요.")
        return attrs
