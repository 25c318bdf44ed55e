from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCityStaff, ReadOrCityStaff
from geoplatform.csvfiles import csv_writer
from geoplatform.pagination import BoundedLimitOffsetPagination, page_response
from geoplatform.responses import StreamingResponse
from geoplatform.throttles import CreationRateThrottle

from . import selectors, services
from .models import Theme
from .serializers import (IndicatorFeedbackInputSerializer, IndicatorFeedbackSerializer, IndicatorImportInputSerializer,
                          IndicatorCreateSerializer, IndicatorDetailSerializer, IndicatorSerializer,
                          IndicatorVersionSerializer, ReplyInputSerializer)
from django.utils.translation import gettext_lazy as _


class IndicatorListApi(generics.ListAPIView):
    """Indicators (open data): figures per district and period; city staff create new ones."""

    serializer_class = IndicatorSerializer
    permission_classes = [ReadOrCityStaff]

    @extend_schema(parameters=[OpenApiParameter("theme", str, enum=Theme.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        theme = self.request.query_params.get("theme") or None
        if theme and theme not in Theme.values:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"theme": (_("Use one of %(value1)s.") % {"value1": ', '.join(Theme.values)})})
        return selectors.indicator_list(user=self.request.user, theme=theme)

    @extend_schema(request=IndicatorCreateSerializer, responses=IndicatorDetailSerializer)
    def post(self, request):
        data = IndicatorCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        indicator = services.indicator_create(user=request.user, **data.validated_data)
        indicator = selectors.indicator_access(user=request.user, indicator_id=indicator.pk)
        return Response(IndicatorDetailSerializer(indicator, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class IndicatorDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=IndicatorDetailSerializer)
    def get(self, request, pk):
        indicator = selectors.indicator_access(user=request.user, indicator_id=pk)
        return Response(IndicatorDetailSerializer(indicator, context={"request": request}).data)


class _Echo:
    def write(self, value):
        return value


class IndicatorCsvApi(APIView):
    """The indicator's current values as CSV (UTF-8 with BOM so spreadsheet programs read Korean)."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "text/csv"): str})
    def get(self, request, pk):
        indicator = selectors.indicator_access(user=request.user, indicator_id=pk)
        writer = csv_writer(_Echo())

        def rows():
            yield "\ufeff" + writer.writerow(["indicator", "district_code", "district_name_ko", "district_name_en",
                                              "dong_code", "dong_name_ko", "period", "value", "unit"])
            for v in selectors.indicator_values(indicator=indicator, dongs=True).iterator(chunk_size=2000):
                yield writer.writerow([indicator.slug, v.district.code, v.district.name_ko, v.district.name_en,
                                       v.dong.code if v.dong else "", v.dong.name_ko if v.dong else "", v.period,
                                       v.value if not v.value.is_integer() else int(v.value), indicator.unit_en])

        response = StreamingResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{indicator.slug}.csv"'
        return response


class IndicatorImportApi(APIView):
    """City staff upload a CSV or XLSX file: a new version; bad rows are listed, good rows imported."""

    permission_classes = [IsCityStaff]
    parser_classes = [MultiPartParser, FormParser]
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(responses=IndicatorVersionSerializer(many=True))
    def get(self, request, pk):
        indicator = selectors.indicator_access(user=request.user, indicator_id=pk)
        return page_response(self, indicator.imports.order_by("-version"),
                             lambda page: IndicatorVersionSerializer(page, many=True).data)

    @extend_schema(request={"multipart/form-data": IndicatorImportInputSerializer}, responses=IndicatorVersionSerializer)
    def post(self, request, pk):
        indicator = selectors.indicator_access(user=request.user, indicator_id=pk)
        data = IndicatorImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            version = services.indicator_import(indicator=indicator, user=request.user,
                                                upload=data.validated_data["file"],
                                                period=data.validated_data.get("period") or None)
        except services.ImportRefused as refused:
            return Response({"detail": refused.messages[0], "errors": refused.row_errors[:200]},
                            status=status.HTTP_400_BAD_REQUEST)
        return Response(IndicatorVersionSerializer(version).data, status=status.HTTP_201_CREATED)


class IndicatorRefreshApi(APIView):
    """Recompute a computed indicator now (city staff)."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=None, responses=IndicatorDetailSerializer)
    def post(self, request, pk):
        indicator = selectors.indicator_access(user=request.user, indicator_id=pk)
        services.indicator_refresh(indicator=indicator, user=request.user)
        indicator = selectors.indicator_access(user=request.user, indicator_id=pk)
        return Response(IndicatorDetailSerializer(indicator, context={"request": request}).data)


class FeedbackListApi(APIView):
    """Citizens' comments and ratings on an indicator, with staff replies; signed-in users add their own."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = BoundedLimitOffsetPagination
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "indicator_feedback"  # 30 a minute per user and per IP unless configured

    @extend_schema(responses=IndicatorFeedbackSerializer(many=True))
    def get(self, request, pk):
        indicator = selectors.indicator_access(user=request.user, indicator_id=pk)
        return page_response(self, selectors.feedback_list(indicator=indicator),
                             lambda page: IndicatorFeedbackSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(request=IndicatorFeedbackInputSerializer, responses=IndicatorFeedbackSerializer)
    def post(self, request, pk):
        indicator = selectors.indicator_access(user=request.user, indicator_id=pk)
        data = IndicatorFeedbackInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.feedback_create(indicator=indicator, user=request.user, **data.validated_data)
        return Response(IndicatorFeedbackSerializer(feedback, context={"request": request}).data,
                        status=status.HTTP_201_CREATED)


class FeedbackReplyApi(APIView):
    permission_classes = [IsCityStaff]

    @extend_schema(request=ReplyInputSerializer, responses=IndicatorFeedbackSerializer)
    def post(self, request, pk, feedback_id):
        indicator = selectors.indicator_access(user=request.user, indicator_id=pk)
        feedback = selectors.indicator_feedback_access(indicator=indicator, feedback_id=feedback_id)
        data = ReplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        feedback = services.feedback_reply(feedback=feedback, user=request.user, reply=data.validated_data["reply"])
        return Response(IndicatorFeedbackSerializer(feedback, context={"request": request}).data)
