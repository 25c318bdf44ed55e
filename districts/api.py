from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from .selectors import district_list
from .serializers import DistrictLookupQuerySerializer, DistrictSerializer


@extend_schema(
    parameters=[
        OpenApiParameter("lon", float, description="Longitude (WGS 84) of a point to look up"),
        OpenApiParameter("lat", float, description="Latitude (WGS 84) of a point to look up"),
    ]
)
class DistrictListApi(generics.ListAPIView):
    """Seoul's 25 districts as GeoJSON; with lon/lat, the district(s) holding that point."""

    serializer_class = DistrictSerializer
    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self):
        query = DistrictLookupQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return district_list(**query.validated_data)


class DistrictDetailApi(generics.RetrieveAPIView):
    serializer_class = DistrictSerializer
    permission_classes = [AllowAny]
    lookup_field = "code"

    def get_queryset(self):
        return district_list()
