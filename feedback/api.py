"""Thin views: parse input, call a selector or a service, serialize the answer."""
from django.db import transaction
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCityStaff
from geoplatform.inputs import validated
from geoplatform.parsers import JSONParser
from geoplatform.throttles import CreationRateThrottle

from . import selectors, services
from .serializers import (
    FeedbackInputSerializer,
    FeedbackListQuerySerializer,
    FeedbackSerializer,
    RoadmapSerializer,
    TriageInputSerializer,
)


@extend_schema_view(get=extend_schema(parameters=[FeedbackListQuerySerializer]))
class FeedbackListApi(generics.ListCreateAPIView):
    """Feedback on the platform, public with its answers; who sent it is never shown."""

    serializer_class = FeedbackSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "feedback"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        query = validated(FeedbackListQuerySerializer, self.request.query_params)
        return selectors.feedback_list(user=self.request.user, state=query.get("state"), kind=query.get("kind"))

    @extend_schema(request={"application/json": FeedbackInputSerializer, "multipart/form-data": FeedbackInputSerializer},
                   responses={201: FeedbackSerializer})
    def post(self, request):
        data = validated(FeedbackInputSerializer, request.data)
        feedback = services.feedback_create(author=request.user, kind=data["kind"], text=data["text"],
                                            page_url=data["page_url"], screenshot=data.get("screenshot"))
        feedback = selectors.feedback_access(user=request.user, feedback_id=feedback.pk)
        return Response(FeedbackSerializer(feedback, context={"request": request}).data, status=status.HTTP_201_CREATED)


class FeedbackDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=FeedbackSerializer)
    def get(self, request, pk: int):
        feedback = selectors.feedback_access(user=request.user, feedback_id=pk)
        return Response(FeedbackSerializer(feedback, context={"request": request}).data)


class FeedbackTriageApi(APIView):
    """City staff decide in public: planned, done, or declined with a reason."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=TriageInputSerializer, responses=FeedbackSerializer)
    def post(self, request, pk: int):
        data = validated(TriageInputSerializer, request.data)
        with transaction.atomic():
            feedback = selectors.feedback_access(user=request.user, feedback_id=pk, lock=True)
            services.feedback_triage(feedback=feedback, actor=request.user, state=data["state"], answer=data["answer"])
        feedback = selectors.feedback_access(user=request.user, feedback_id=pk)
        return Response(FeedbackSerializer(feedback, context={"request": request}).data)


class FeedbackSupportApi(APIView):
    """POST: "me too" (counted on the roadmap, never named). DELETE: take it back."""

    permission_classes = [IsAuthenticated]

    def _answer(self, request, pk, code):
        feedback = selectors.feedback_access(user=request.user, feedback_id=pk)
        return Response(FeedbackSerializer(feedback, context={"request": request}).data, status=code)

    @extend_schema(request=None, responses=FeedbackSerializer)
    def post(self, request, pk: int):
        feedback = selectors.feedback_access(user=request.user, feedback_id=pk)
        added = services.feedback_support(feedback=feedback, user=request.user)
        return self._answer(request, pk, status.HTTP_201_CREATED if added else status.HTTP_200_OK)

    @extend_schema(request=None, responses=FeedbackSerializer)
    def delete(self, request, pk: int):
        feedback = selectors.feedback_access(user=request.user, feedback_id=pk)
        services.feedback_unsupport(feedback=feedback, user=request.user)
        return self._answer(request, pk, status.HTTP_200_OK)


class RoadmapApi(APIView):
    """What the platform plans and has done because people asked: how many people, never who."""

    permission_classes = [AllowAny]

    @extend_schema(responses=RoadmapSerializer)
    def get(self, request):
        return Response(RoadmapSerializer(selectors.roadmap()).data)
