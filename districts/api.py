from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny

from django.utils.translation import get_language
from rest_framework.response import Response
from rest_framework.views import APIView

from geoplatform.pagination import FeatureCollectionPagination

from .selectors import district_list, place_describe
from .serializers import DistrictLookupQuerySerializer, DistrictSerializer, PlaceQuerySerializer, PlaceSerializer


@extend_schema(
    parameters=[
        OpenApiParameter("lon", float, description="Longitude (WGS 84) of a point to look up"),
        OpenApiParameter("lat", float, description="Latitude (WGS 84) of a point to look up"),
    ]
)
class DistrictListApi(generics.ListAPIView):
    """Seoul's 25 districts as a GeoJSON FeatureCollection (one page); with lon/lat, the district(s) holding that point."""

    serializer_class = DistrictSerializer
    permission_classes = [AllowAny]
    pagination_class = FeatureCollectionPagination

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


@extend_schema(
    parameters=[
        OpenApiParameter("lon", float, description="Longitude (WGS 84)"),
        OpenApiParameter("lat", float, description="Latitude (WGS 84)"),
        OpenApiParameter("geometry", str, description="A GeoJSON geometry instead of lon/lat (a line, an area)"),
    ],
    responses=PlaceSerializer,
)
class PlaceWhereApi(APIView):
    """Where a place is, in words, in the reader's language: dong and gu, the nearest subway station,
    and the district office(s) a report there goes to (the report service's routing rule)."""

    permission_classes = [AllowAny]

    def get(self, request):
        query = PlaceQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        language = "en" if (get_language() or "").startswith("en") else "ko"
        return Response(PlaceSerializer(place_describe(query.validated_data["geom"], language=language)).data)
