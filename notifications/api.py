"""The signed-in user's notifications."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from geoplatform.pagination import COUNT_CAP, BoundedLimitOffsetPagination, count_capped, page_response

from . import selectors, services
from .serializers import NotificationReadSerializer, NotificationSerializer


class NotificationPagination(BoundedLimitOffsetPagination):
    """A page of notifications also says how many of them are unread (the header's badge), counted as the page's
    `count` is: over at most COUNT_CAP + 1 rows, null above."""

    extra_schema = {"unread": {
        "type": "integer", "nullable": True, "minimum": 0, "maximum": COUNT_CAP,
        "description": f"the number of unread notifications when at most {COUNT_CAP:,}; null when there are more"}}

    def extra(self) -> dict:
        return {"unread": count_capped(selectors.notification_list(user=self.request.user, unread=True))}


class NotificationListApi(APIView):
    """The signed-in user's notifications, newest first (`?unread=true` for unread ones)."""

    permission_classes = [IsAuthenticated]
    pagination_class = NotificationPagination

    @extend_schema(parameters=[OpenApiParameter("unread", bool)], responses=NotificationSerializer(many=True))
    def get(self, request):
        unread = request.query_params.get("unread") in ("1", "true", "True")
        notifications = selectors.notification_list(user=request.user, unread=unread)
        return page_response(self, notifications, lambda page: NotificationSerializer(page, many=True).data)


class NotificationReadApi(APIView):
    """Mark notifications read: `{"ids": [...]}` or `{"all": true}`."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=NotificationReadSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        data = NotificationReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids = None if data.validated_data.get("all") else data.validated_data["ids"]
        return Response({"marked": services.notifications_mark_read(user=request.user, ids=ids)})
