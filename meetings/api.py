from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from geoplatform.media import protected_file_response

from . import selectors
from .models import Disclosure, DisclosureReason
from .serializers import (CommitteeSerializer, DisclosureReasonSerializer, MeetingDetailSerializer,
                          MeetingFilterSerializer, MeetingSerializer, StatsQuerySerializer)

FILTER_PARAMETERS = [
    OpenApiParameter("q", str, description="search committee names, titles, agendas and public minutes (Korean too)"),
    OpenApiParameter("committee", int), OpenApiParameter("department", str),
    OpenApiParameter("from", str, description="YYYY-MM-DD"), OpenApiParameter("to", str, description="YYYY-MM-DD"),
    OpenApiParameter("disclosure", str, enum=Disclosure.values),
]


class CommitteeListApi(generics.ListAPIView):
    serializer_class = CommitteeSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return selectors.committee_list()


class CommitteeDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=CommitteeSerializer)
    def get(self, request, pk):
        return Response(CommitteeSerializer(selectors.committee_access(user=request.user, committee_id=pk)).data)


class MeetingListApi(generics.ListAPIView):
    """Committee meetings, newest first; `?q=` searches in Korean and English."""

    serializer_class = MeetingSerializer
    permission_classes = [AllowAny]

    @extend_schema(parameters=FILTER_PARAMETERS)
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.meeting_list(**MeetingFilterSerializer.parse(self.request.query_params))


class MeetingDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=MeetingDetailSerializer)
    def get(self, request, pk):
        meeting = selectors.meeting_access(user=request.user, meeting_id=pk)
        return Response(MeetingDetailSerializer(meeting, context={"request": request}).data)


class MeetingDocumentFileApi(APIView):
    """A meeting document's file; withheld documents (or those of an undisclosed meeting) are a 404 like missing ones."""

    permission_classes = [AllowAny]

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk, document_id):
        document = selectors.document_access(user=request.user, meeting_id=pk, document_id=document_id)
        name = f"{document.title[:80]}.{document.file.name.rsplit('.', 1)[-1]}"
        return protected_file_response(document.file, as_attachment=True, filename=name)


class MeetingStatsApi(APIView):
    """Disclosure rates of meetings held, per department, per committee and per year (or month)."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=FILTER_PARAMETERS + [OpenApiParameter("interval", str, enum=["year", "month"])],
                   responses=OpenApiTypes.OBJECT)
    def get(self, request):
        filters = MeetingFilterSerializer.parse(request.query_params)
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(selectors.disclosure_stats(meetings=selectors.meeting_list(**filters),
                                                   interval=query.validated_data["interval"]))


class DisclosureReasonListApi(generics.ListAPIView):
    serializer_class = DisclosureReasonSerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        return DisclosureReason.objects.filter(is_active=True)
