"""Thin views: parse input, call a selector or a service, shape the output."""
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsDistrictOfficer, ReadOrCityStaff, is_city_staff
from geoplatform.pagination import BoundedLimitOffsetPagination, FeatureCollectionPagination, page_response
from layers.links import tilejson_url
from geoplatform.throttles import CreationRateThrottle

from . import selectors, services
from .layers import REPORT_LAYER
from .models import Open311Key
from .serializers import (
    BulkAcknowledgeSerializer, NoteOutputSerializer, NoteSerializer, Open311KeyInputSerializer, Open311KeyIssuedSerializer,
    Open311KeySerializer, PhotoUploadSerializer, ReportCategorySerializer,
    ReportCreateSerializer, ReportFeatureOutputSerializer, ReportFeatureSerializer, ReportQuerySerializer, StatusChangeSerializer,
    TransferSerializer,
)
from django.utils.translation import gettext_lazy as _


class ReportPagination(FeatureCollectionPagination):
    """The page of reports carries the `reports` layer's TileJSON, so a client can switch to tiles."""

    extra_schema = {"tilejson": {"type": "string", "format": "uri"}}

    def extra(self) -> dict:
        return {"tilejson": tilejson_url(self.request, REPORT_LAYER)}


def _report_response(request, report_id, *, code=http.HTTP_200_OK) -> Response:
    """The report as this reader sees it now (read again after a write: its districts' rows changed)."""
    report = selectors.report_access(user=request.user, report_id=report_id)
    timeline = selectors.report_timeline(report=report, user=request.user)
    data = ReportFeatureSerializer(report, context={"request": request, "detail": True, "timeline": timeline}).data
    return Response(data, status=code)


class ReportListApi(APIView):
    """Reports as GeoJSON. Everybody sees public fields of all; `?mine=true` one's own in full;
    `?queue=mine` an officer's districts' queue. POST a GeoJSON Feature to report a hazard."""

    permission_classes = [IsAuthenticatedOrReadOnly]  # report_create refuses banned users
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "reports"
    pagination_class = ReportPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("queue", str, enum=["mine"], description="an officer's districts' queue"),
            OpenApiParameter("mine", bool, description="only my own reports"),
            OpenApiParameter("status", str, description="comma-separated statuses"),
            OpenApiParameter("category", str, description="comma-separated category codes"),
            OpenApiParameter("overdue", bool, description="past the category's service target"),
            OpenApiParameter("bbox", str, description="minLon,minLat,maxLon,maxLat"),
        ],
        responses=ReportFeatureOutputSerializer(many=True),
        operation_id="reports_list",
    )
    def get(self, request):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        queue = params.get("queue") == "mine"
        if queue and not (request.user.is_authenticated and request.user.officer_district_codes()):
            raise PermissionDenied(_("The queue is for district officers."))
        if params.get("mine") and not request.user.is_authenticated:
            raise PermissionDenied(_("Sign in to see your reports."))
        reports = selectors.report_list(
            user=request.user, queue=queue, mine=params.get("mine", False), statuses=params.get("status", ()),
            categories=params.get("category", ()), overdue=params.get("overdue"), bbox=params.get("bbox"),
        )
        return page_response(self, reports, lambda page: [
            ReportFeatureSerializer(r, context={"request": request}).data for r in page])

    @extend_schema(request=ReportCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request):
        data = ReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.report_create(reporter=request.user, **data.validated_data)
        return _report_response(request, report.pk, code=http.HTTP_201_CREATED)


class ReportDetailApi(APIView):
    """One report with its `districts` and timeline (internal notes only for its officers and staff)."""

    permission_classes = [AllowAny]

    @extend_schema(responses=ReportFeatureOutputSerializer)
    def get(self, request, pk):
        return _report_response(request, pk)


class ReportStatusApi(APIView):
    """An officer of a responsible district changes its status with a public message."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=StatusChangeSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        data = StatusChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        with transaction.atomic():
            report = selectors.report_access(user=request.user, report_id=pk, need="answer", lock=True)
            duplicate_of = None
            if params.get("duplicate_of"):
                try:
                    duplicate_of = selectors.report_access(user=request.user, report_id=params["duplicate_of"])
                except NotFound:
                    raise NotFound(_("The original report does not exist."))
            services.report_status_change(
                report=report, actor=request.user, status=params["status"], message=params["message"],
                district_codes=params.get("districts"), duplicate_of=duplicate_of,
                responsible_body=params.get("responsible_body", ""),
            )
        return _report_response(request, report.pk)


class ReportTransferApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=TransferSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        data = TransferSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        params = data.validated_data
        with transaction.atomic():
            report = selectors.report_access(user=request.user, report_id=pk, need="answer", lock=True)
            services.report_transfer(report=report, actor=request.user, to_code=params["to_district"],
                                     from_code=params.get("from_district"), reason=params["reason"])
        return _report_response(request, report.pk)


class ReportNotesApi(APIView):
    """Internal notes: the report's district officers and city staff only."""

    permission_classes = [IsAuthenticated]
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(responses=NoteOutputSerializer(many=True))
    def get(self, request, pk):
        report = selectors.report_access(user=request.user, report_id=pk, need="internal")
        notes = [e for e in selectors.report_timeline(report=report, user=request.user) if e.kind == "note"]
        return page_response(self, notes, lambda page: NoteOutputSerializer(page, many=True).data)

    @extend_schema(request=NoteSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        data = NoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = selectors.report_access(user=request.user, report_id=pk, need="internal")
        note = services.report_note_add(report=report, actor=request.user, note=data.validated_data["note"])
        return Response({"id": note.pk, "note": note.message, "created_at": note.created_at.isoformat()},
                        status=http.HTTP_201_CREATED)


class ReportPhotosApi(APIView):
    """The reporter adds a photo (JPEG, PNG, WebP; EXIF removed) to their open report."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "reports"

    @extend_schema(request={"multipart/form-data": PhotoUploadSerializer}, responses=OpenApiTypes.OBJECT)
    def post(self, request, pk):
        data = PhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = selectors.report_access(user=request.user, report_id=pk)
        services.report_photo_add(report=report, actor=request.user, upload=data.validated_data["image"])
        return _report_response(request, report.pk, code=http.HTTP_201_CREATED)


class ReportBulkAcknowledgeApi(APIView):
    """Acknowledge several reports of one's districts with one message (all or none)."""

    permission_classes = [IsDistrictOfficer]

    @extend_schema(request=BulkAcknowledgeSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        data = BulkAcknowledgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = data.validated_data["ids"]
        with transaction.atomic():
            reports = [selectors.report_access(user=request.user, report_id=i, lock=True) for i in sorted(set(ids))]
            services.report_bulk_acknowledge(actor=request.user, reports=reports,
                                             message=data.validated_data["message"])
        return Response({"acknowledged": [r.pk for r in reports]})


class ReportCategoryListApi(APIView):
    """The kinds of hazard one can report. City staff add categories."""

    permission_classes = [ReadOrCityStaff]
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(responses=ReportCategorySerializer(many=True))
    def get(self, request):
        staff = is_city_staff(request.user)
        categories = selectors.category_list(include_inactive=staff and request.query_params.get("all") == "true")
        return page_response(self, categories, lambda page: ReportCategorySerializer(page, many=True).data)

    @extend_schema(request=ReportCategorySerializer, responses={201: ReportCategorySerializer})
    def post(self, request):
        data = ReportCategorySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        category = services.category_create(code=fields.pop("code"), name_ko=fields.pop("name_ko"),
                                            name_en=fields.pop("name_en"), actor=request.user, **fields)
        return Response(ReportCategorySerializer(category).data, status=http.HTTP_201_CREATED)


class ReportCategoryDetailApi(APIView):
    """One kind of hazard. City staff change it."""

    permission_classes = [ReadOrCityStaff]

    @extend_schema(responses=ReportCategorySerializer)
    def get(self, request, code):
        return Response(ReportCategorySerializer(selectors.category_access(user=request.user, category_code=code)).data)

    @extend_schema(request=ReportCategorySerializer, responses=ReportCategorySerializer)
    def patch(self, request, code):
        with transaction.atomic():  # the row locked by the access door holds until the change is stored
            category = selectors.category_access(user=request.user, category_code=code, lock=True)
            data = ReportCategorySerializer(category, data=request.data, partial=True)
            data.is_valid(raise_exception=True)
            category = services.category_update(category=category, actor=request.user, **data.validated_data)
        return Response(ReportCategorySerializer(category).data)


class Open311KeyListApi(APIView):
    """Keys for Open311 clients (`api_key`). They open only /open311/v2/; the key is shown once, when issued."""

    permission_classes = [IsAuthenticated]
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(responses=Open311KeySerializer(many=True))
    def get(self, request):
        keys = Open311Key.objects.filter(user=request.user, revoked_at__isnull=True)
        return page_response(self, keys, lambda page: Open311KeySerializer(page, many=True).data)

    @extend_schema(request=Open311KeyInputSerializer, responses={201: Open311KeyIssuedSerializer})
    def post(self, request):
        data = Open311KeyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record, key = services.open311_key_issue(user=request.user, label=data.validated_data["label"])
        return Response({**Open311KeySerializer(record).data, "key": key}, status=http.HTTP_201_CREATED)


class Open311KeyDetailApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={204: None})
    def delete(self, request, pk: int):
        with transaction.atomic():
            services.open311_key_revoke(
                user=request.user, record=selectors.open311_key_access(user=request.user, key_id=pk, lock=True))
        return Response(status=http.HTTP_204_NO_CONTENT)
