"""Thin views: validate, call a selector or service, serialize."""
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied, ValidationError
from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from geoplatform.pagination import BoundedLimitOffsetPagination
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from .exports import output_export_response, records_export_response
from .models import Analysis
from .permissions import AnalysisPermission
from .selectors import analysis_access, analysis_list, output_access
from .serializers import (
    AnalysisCreateSerializer,
    AnalysisPublishSerializer,
    AnalysisSerializer,
    AnalysisUpdateSerializer,
)
from .services import (analysis_create, analysis_delete, analysis_publish, analysis_run, analysis_update,
                       analysis_withdraw)


def _call(service, **kwargs):
    """Run a service, turning model validation errors into 400s."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        raise DRFValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)


class AnalysisPagination(BoundedLimitOffsetPagination):
    max_limit = 200


class AnalysisListApi(generics.ListCreateAPIView):
    """Published analyses (plus, for analysts, their drafts); analysts create with `method` and `parameters`."""

    serializer_class = AnalysisSerializer
    permission_classes = [AnalysisPermission]
    pagination_class = AnalysisPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator: no query
            return Analysis.objects.none()
        return analysis_list(user=self.request.user)

    @extend_schema(request=AnalysisCreateSerializer, responses={201: AnalysisSerializer})
    def post(self, request, *args, **kwargs):
        data = AnalysisCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        analysis = _call(analysis_create, user=request.user, **data.validated_data)
        analysis = analysis_access(user=request.user, analysis_id=analysis.pk)
        return Response(AnalysisSerializer(analysis, context={"request": request}).data, status=status.HTTP_201_CREATED)


class AnalysisDetailApi(generics.RetrieveAPIView):
    """Status, progress, method, parameters, sources and outputs (each with its TileJSON) of an analysis."""

    serializer_class = AnalysisSerializer
    permission_classes = [AnalysisPermission]

    def get_object(self):
        edit = self.request.method not in ("GET", "HEAD", "OPTIONS")
        return analysis_access(user=self.request.user, analysis_id=self.kwargs["pk"], need="edit" if edit else "view")

    @extend_schema(request=AnalysisUpdateSerializer, responses={200: AnalysisSerializer})
    def patch(self, request, *args, **kwargs):
        with transaction.atomic():  # the row locked by the access door holds until the change is stored
            analysis = analysis_access(user=request.user, analysis_id=kwargs["pk"], need="edit", lock=True)
            data = AnalysisUpdateSerializer(data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            _call(analysis_update, analysis=analysis, user=request.user, **data.validated_data)
        return Response(self.get_serializer(analysis_access(user=request.user, analysis_id=kwargs["pk"])).data)

    def delete(self, request, *args, **kwargs):
        _call(analysis_delete, analysis=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class AnalysisRunApi(APIView):
    """Queue a run in the background worker; follow `progress` here or at `/api/jobs/{job}/`."""

    permission_classes = [AnalysisPermission]

    @extend_schema(request=None, responses={202: AnalysisSerializer})
    def post(self, request, pk):
        with transaction.atomic():
            analysis = analysis_access(user=request.user, analysis_id=pk, need="edit", lock=True)
            _call(analysis_run, analysis=analysis, user=request.user)
        analysis = analysis_access(user=request.user, analysis_id=pk)
        return Response(AnalysisSerializer(analysis, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class AnalysisPublishApi(APIView):
    """Publish a finished run (or `{"published": false}` to withdraw it)."""

    permission_classes = [AnalysisPermission]

    @extend_schema(request=AnalysisPublishSerializer, responses={200: AnalysisSerializer})
    def post(self, request, pk):
        with transaction.atomic():
            analysis = analysis_access(user=request.user, analysis_id=pk, need="edit", lock=True)
            data = AnalysisPublishSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            _call(analysis_publish, analysis=analysis, user=request.user, published=data.validated_data["published"])
        analysis = analysis_access(user=request.user, analysis_id=pk)
        return Response(AnalysisSerializer(analysis, context={"request": request}).data)


class AnalysisWithdrawApi(APIView):
    """The owner of a source (e.g. the map's owner) withdraws an analysis of it: unpublished for good."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: AnalysisSerializer})
    def post(self, request, pk):
        try:
            with transaction.atomic():
                analysis_withdraw(analysis=analysis_access(user=request.user, analysis_id=pk, lock=True), user=request.user)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc))
        analysis = analysis_access(user=request.user, analysis_id=pk)
        return Response(AnalysisSerializer(analysis, context={"request": request}).data)


class OutputExportApi(APIView):
    """An output as CSV, GeoPackage or GeoJSON (vector) or GeoTIFF (raster). Suppressed cells stay suppressed."""

    permission_classes = [AnalysisPermission]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk, output_id, fmt):
        analysis = analysis_access(user=request.user, analysis_id=pk)
        output = output_access(analysis=analysis, output_id=output_id)
        return output_export_response(output=output, fmt=fmt, request=request)


class RecordsExportApi(APIView):
    """The input records of an analysis as CSV.

    Everyone (for a published analysis) gets the public view: the source layer as the public
    sees it, its public fields, dates to the day, no identity fields. `?detail=full` (analysts and
    city staff) gives exact times and the layer as they see it, and is written to the audit log.
    """

    permission_classes = [AnalysisPermission]

    @extend_schema(parameters=[OpenApiParameter("detail", str, enum=["public", "full"])],
                   responses={(200, "text/csv"): bytes})
    def get(self, request, pk):
        analysis = analysis_access(user=request.user, analysis_id=pk)
        detail = request.query_params.get("detail", "public")
        if detail not in ("public", "full"):
            raise DRFValidationError({"detail": _("Use detail=public or detail=full")})
        if detail == "full" and not (request.user.is_authenticated and request.user.is_analyst):
            raise PermissionDenied(_("Full-detail exports are for analysts and city staff"))
        return records_export_response(analysis=analysis, request=request, full=detail == "full")

