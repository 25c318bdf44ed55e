"""Thin views of moderation: flag content, the staff's flag queue and decisions, bans."""
from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status as http
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsCityStaff
from accounts.selectors import user_access
from geoplatform.ids import id_from
from geoplatform.pagination import BoundedLimitOffsetPagination, page_response
from geoplatform.throttles import CreationRateThrottle

from . import selectors, services
from .serializers import BanSerializer, FlagCreateSerializer, FlagDecisionSerializer, FlagGroupSerializer, FlagSerializer
from django.utils.translation import gettext_lazy as _


class FlagCreateApi(APIView):
    """Flag a map, feature, photo or report (spam, abuse, personal data, wrong); once per person."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [CreationRateThrottle]
    throttle_scope = "flags"

    @extend_schema(request=FlagCreateSerializer, responses={201: FlagSerializer})
    def post(self, request):
        data = FlagCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        flag = services.flag_create(user=request.user, **data.validated_data)
        return Response(FlagSerializer(flag).data, status=http.HTTP_201_CREATED)


class FlagQueueApi(APIView):
    """City staff: flagged content grouped by target, most flagged first, with each target's flags."""

    permission_classes = [IsCityStaff]
    pagination_class = BoundedLimitOffsetPagination

    @extend_schema(parameters=[OpenApiParameter("state", str, enum=["open", "restored", "removed"]),
                               OpenApiParameter("target_type", str)], responses=FlagGroupSerializer(many=True))
    def get(self, request):
        state = request.query_params.get("state", "open")
        if state not in ("open", "restored", "removed"):
            raise ValidationError({"state": _("Unknown state; use open, restored or removed.")})

        return page_response(self, selectors.flag_queue(state=state, target_type=request.query_params.get("target_type")),
                             lambda page: FlagGroupSerializer(selectors.flag_groups_with_targets(groups=page, state=state),
                                                              many=True).data)


class FlagDecideApi(APIView):
    """City staff restore (show again) or remove (keep hidden) flagged content; audited."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=FlagDecisionSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request, target_type, target_id):
        data = FlagDecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if id_from(target_id) is None:
            raise NotFound(_("No open flags on that content."))
        closed = services.flag_decide(actor=request.user, target_type=target_type, target_id=target_id,
                                      **data.validated_data)
        return Response({"decision": data.validated_data["decision"], "flags_closed": closed})


class BanApi(APIView):
    """City staff put a user on the ban list (or take them off); audited."""

    permission_classes = [IsCityStaff]

    @extend_schema(request=BanSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request):
        data = BanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            user = user_access(user=request.user, user_id=data.validated_data["user"], lock=True)
            services.user_ban(actor=request.user, user=user, banned=data.validated_data["banned"],
                              reason=data.validated_data["reason"])
        return Response({"user": user.pk, "banned": user.is_banned})
